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

// A send batch leaves in as few messages as the kernel allows: a receiver's datagrams that follow
// one another in its share of the batch, all of one size but a shorter last one, go as one
// message with UDP_SEGMENT (generic segmentation offload), which the kernel or the NIC cuts into
// those datagrams again after a single pass through the stack. A video frame is a few such
// packets to each subscriber, so most of a frame's sends share the route lookup, the buffer
// allocation and the device's queue (docs/performance.md, "UDP segmentation"). Each receiver's
// datagrams keep their order; between receivers the order is free. Where the kernel or the route
// refuses a segmented message, its datagrams go one by one and the batch stops segmenting.
class SendBatch {
  public:
    // The largest datagram sent as a segment: 1 280 bytes (IPv6's minimum MTU) less the IPv6 and
    // UDP headers, so that a segment fits every path's MTU and the kernel never refuses one for
    // its size. WebRTC media packets stay under 1 200 bytes.
    static constexpr std::size_t kMaxSegmentBytes = 1232;

    SendBatch(std::size_t capacity, std::size_t datagramBytes);

    bool full() const { return count_ == vectors_.size(); }
    bool empty() const { return count_ == 0; }
    // Copies the datagram in; false when it is larger than a slot or the batch is full (the
    // caller flushes first).
    bool add(std::span<const std::uint8_t> datagram, const Endpoint& to);
    // The next datagram written in place instead: slot() is where (empty when the batch is full),
    // commit() queues its first `length` bytes for `to`. A slot not committed is not sent (the
    // next slot() hands it out again).
    std::span<std::uint8_t> slot();
    void commit(std::size_t length, const Endpoint& to);
    // Sends everything queued on `fd` (non-blocking); returns how many datagrams the kernel
    // refused. The batch is empty afterwards either way.
    std::size_t flush(int fd);

    // Whether flush() still puts several datagrams in one message (false once the kernel refused).
    bool segmenting() const { return segmenting_; }
    // Datagrams that left as segments of a message that carried more than one, and those messages.
    std::uint64_t segmentedDatagrams() const { return segmentedDatagrams_; }
    std::uint64_t segmentedMessages() const { return segmentedMessages_; }

  private:
    // A receiver's run of datagrams, sent as one message (their iovecs are adjacent in ordered_).
    struct Run {
        std::size_t firstDatagram = 0;  // in batch order, for its receiver
        std::size_t firstVector = 0;    // in ordered_
        std::size_t count = 0;
        std::size_t segmentBytes = 0;  // the first datagram's size: every one but the last
        bool open = true;              // takes another datagram of its receiver
    };
    // Puts the queued datagrams into messages_ (their vectors into ordered_).
    std::size_t arrange();
    // Sends the datagrams of message `index` one by one; returns how many were refused.
    std::size_t sendEach(int fd, std::size_t index);

    std::size_t datagramBytes_;
    std::size_t count_ = 0;
    std::vector<std::uint8_t> buffers_;
    std::vector<iovec> vectors_;       // each queued datagram, in batch order
    std::vector<Endpoint> pending_;    // each queued datagram's receiver
    std::vector<std::uint64_t> keys_;  // ... and a hash of it, to find its latest message
    // Open addressing, twice the capacity: a receiver's latest message (its index + 1; 0 free).
    std::vector<std::uint32_t> latestRun_;
    std::vector<Run> runs_;
    std::vector<std::size_t> runOf_;           // each queued datagram's message
    std::vector<iovec> ordered_;               // the datagrams again, message by message
    std::vector<sockaddr_storage> receivers_;  // by message
    std::vector<std::uint8_t> controls_;       // by message: its UDP_SEGMENT
    std::vector<mmsghdr> messages_;
    sa_family_t family_ = AF_UNSPEC;  // the socket's, learnt at the first flush
    bool segmenting_ = true;
    std::uint64_t segmentedDatagrams_ = 0;
    std::uint64_t segmentedMessages_ = 0;
};

}  // namespace pulsemeet::media
