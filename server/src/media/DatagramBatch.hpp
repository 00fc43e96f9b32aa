#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <span>
#include <vector>

#include "media/Endpoint.hpp"

// The kernel's batch calls for a media worker's UDP socket: recvmmsg reads every datagram that is
// waiting (up to `capacity`) in one system call, sendmmsg sends what a burst of forwarding queued
// in one. Per-call overhead (the syscall, the socket lock, Asio's reactor bookkeeping) is paid
// once per batch instead of once per packet (docs/performance.md says what it moved). Plain
// buffers, allocated once; Endpoint in and out, so callers see no sockaddr.
namespace pulsemeet::media {

class ReceiveBatch {
  public:
    using Clock = std::chrono::steady_clock;

    ReceiveBatch(std::size_t capacity, std::size_t datagramBytes);

    // Asks the kernel to stamp each datagram of `fd` with its arrival (SO_TIMESTAMPNS); false
    // when it refuses (arrivedAt() then says when the batch was read).
    static bool enableArrivalTimes(int fd);
    // Reads what is waiting on the non-blocking socket `fd` (nothing waiting: 0). The datagrams
    // stay valid until the next call.
    std::size_t receive(int fd);
    std::span<std::uint8_t> datagram(std::size_t index);
    Endpoint sender(std::size_t index) const;
    // When the datagram reached the machine, on the steady clock: the kernel's stamp, not the
    // moment this thread got to read it. Arrival times feed transport-wide congestion control
    // (the publisher's bandwidth estimate reads their spacing): stamped at the read, a media
    // thread that waits for a core turns into delay the network never had. (It does not make a
    // starved server harmless: its forwarding still comes in bursts, which subscribers' own
    // estimates see; docs/performance.md, "The move on two cores".)
    Clock::time_point arrivedAt(std::size_t index) const;

  private:
    std::size_t datagramBytes_;
    std::vector<std::uint8_t> buffers_;
    std::vector<sockaddr_storage> senders_;
    std::vector<iovec> vectors_;
    std::vector<mmsghdr> messages_;
    // One control buffer per message, for its SCM_TIMESTAMPNS.
    std::vector<std::uint8_t> controls_;
    // When receive() returned, on both clocks.
    Clock::time_point readAt_{};
    timespec readAtRealtime_{};
};

class SendBatch {
  public:
    SendBatch(std::size_t capacity, std::size_t datagramBytes);

    bool full() const { return count_ == messages_.size(); }
    bool empty() const { return count_ == 0; }
    // Copies the datagram in; false when it is larger than a slot or the batch is full (the
    // caller flushes first).
    bool add(std::span<const std::uint8_t> datagram, const Endpoint& to);
    // The next datagram written in place instead: slot() is where (empty when the batch is full),
    // commit() queues its first `length` bytes for `to`. A slot not committed is not sent (the
    // next slot() hands it out again).
    std::span<std::uint8_t> slot();
    void commit(std::size_t length, const Endpoint& to);
    // Sends everything queued on `fd` (non-blocking); returns how many the kernel refused. The
    // batch is empty afterwards either way.
    std::size_t flush(int fd);

  private:
    std::size_t datagramBytes_;
    std::size_t count_ = 0;
    std::vector<std::uint8_t> buffers_;
    std::vector<sockaddr_storage> receivers_;
    std::vector<iovec> vectors_;
    std::vector<mmsghdr> messages_;
    std::vector<Endpoint> pending_;   // each queued datagram's receiver
    sa_family_t family_ = AF_UNSPEC;  // the socket's, learnt at the first flush
};

}  // namespace pulsemeet::media
