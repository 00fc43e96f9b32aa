#pragma once

// A UDP socket on 127.0.0.1 connected to one port, as a browser's media socket is to the media
// server's: send a datagram, receive the next one within a wait. Shared by the media integration
// tests (UdpMediaPeer.hpp, MediaWorkerTest).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <vector>

namespace pulsemeet::media::mediatest {

// The port an IPv4 UDP socket is bound to (0: none yet).
inline std::uint16_t localPortOf(int fd) {
    sockaddr_in local{};
    socklen_t length = sizeof local;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length);
    return ntohs(local.sin_port);
}

class ConnectedUdpSocket {
  public:
    using Bytes = std::vector<std::uint8_t>;

    // A deep receive buffer: a subscriber test may read a burst of forwarded packets late.
    explicit ConnectedUdpSocket(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_DGRAM, 0)) {
        sockaddr_in server{};
        server.sin_family = AF_INET;
        server.sin_port = htons(port);
        server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        const int buffer = 4 << 20;
        if (fd_ < 0 || ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer) != 0 ||
            ::connect(fd_, reinterpret_cast<const sockaddr*>(&server), sizeof server) != 0) {
            if (fd_ >= 0) ::close(fd_);
            throw std::runtime_error("udp socket");
        }
    }
    ~ConnectedUdpSocket() { ::close(fd_); }
    ConnectedUdpSocket(const ConnectedUdpSocket&) = delete;
    ConnectedUdpSocket& operator=(const ConnectedUdpSocket&) = delete;

    void send(const Bytes& datagram) {
        if (::send(fd_, datagram.data(), datagram.size(), 0) !=
            static_cast<ssize_t>(datagram.size()))
            throw std::runtime_error("udp send");
    }

    // The next datagram within `wait` (0 polls once).
    template <typename Rep, typename Period>
    std::optional<Bytes> receive(std::chrono::duration<Rep, Period> wait) {
        pollfd descriptor{fd_, POLLIN, 0};
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wait).count();
        if (::poll(&descriptor, 1, static_cast<int>(ms)) != 1) return std::nullopt;
        Bytes buffer(2048);
        const auto size = ::recv(fd_, buffer.data(), buffer.size(), 0);
        if (size < 0) return std::nullopt;
        buffer.resize(static_cast<std::size_t>(size));
        return buffer;
    }

    // The local port the kernel chose (for tests that check per-address bookkeeping).
    std::uint16_t localPort() const { return localPortOf(fd_); }

  private:
    int fd_;
};

}  // namespace pulsemeet::media::mediatest
