#pragma once

#include <optional>

// A second UDP socket on the media port that only sends.
//
// Every datagram the kernel has finished sending (on loopback at once, on a NIC at its transmit
// completion) gives its buffer space back to the sending socket, and the kernel then wakes that
// socket's waiters for write space: on the media socket that is Asio's epoll registration, so each
// sent datagram took the epoll instance's lock with interrupts off for nothing (the worker never
// waits to write; a full buffer drops). Sending from a socket no epoll watches skips that: about
// 1.7 % of the media worker's samples in rooms of 6 (docs/performance.md).
//
// Both sockets share the port through SO_REUSEPORT, set on the receiving socket only after it
// was bound on its own, so a port already in use still fails start-up, and another process's plain
// bind to the port still fails afterwards. The group's steering program sends every arriving
// datagram to the receiving socket (the group's first member), never to this one.
namespace pulsemeet::media {

class UdpSendSocket {
  public:
    // A socket bound to `receiveFd`'s address and port (a bound UDP socket), or nullopt when the
    // kernel refuses any step; the caller then sends on `receiveFd` itself.
    static std::optional<UdpSendSocket> openBeside(int receiveFd, int sendBufferBytes);

    UdpSendSocket(UdpSendSocket&& other) noexcept;
    UdpSendSocket& operator=(UdpSendSocket&& other) noexcept;
    UdpSendSocket(const UdpSendSocket&) = delete;
    UdpSendSocket& operator=(const UdpSendSocket&) = delete;
    ~UdpSendSocket();

    int fd() const { return fd_; }

  private:
    explicit UdpSendSocket(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace pulsemeet::media
