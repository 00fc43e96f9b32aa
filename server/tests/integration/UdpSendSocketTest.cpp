// UdpSendSocket on real UDP sockets on 127.0.0.1: the media port's second socket sends with the
// port as its source, never takes an arriving datagram from the receiving socket, and leaves the
// port closed to anyone else's bind (src/media/UdpSendSocket.hpp).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "ConnectedUdpSocket.hpp"
#include "media/UdpSendSocket.hpp"

namespace pulsemeet::media {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A UDP socket, closed with the object; bound to 127.0.0.1:`port` (0: one the kernel picks).
class Socket {
  public:
    explicit Socket(std::uint16_t port = 0)
        : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0)) {
        sockaddr_in local = loopback(port);
        bound_ = ::bind(fd_, reinterpret_cast<const sockaddr*>(&local), sizeof local) == 0;
        bindError_ = bound_ ? 0 : errno;
    }
    ~Socket() { ::close(fd_); }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    static sockaddr_in loopback(std::uint16_t port) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return address;
    }

    int fd() const { return fd_; }
    bool bound() const { return bound_; }
    int bindError() const { return bindError_; }
    std::uint16_t port() const { return mediatest::localPortOf(fd_); }

  private:
    int fd_;
    bool bound_ = false;
    int bindError_ = 0;
};

// Closes a descriptor the test opened by hand when the test ends, however it ends.
struct ClosesAtEnd {
    int fd;
    ~ClosesAtEnd() { ::close(fd); }
};

void sendTo(int fd, std::uint16_t port, std::uint8_t tag) {
    const std::array<std::uint8_t, 1> payload{tag};
    const auto to = Socket::loopback(port);
    ASSERT_EQ(::sendto(fd, payload.data(), payload.size(), 0,
                       reinterpret_cast<const sockaddr*>(&to), sizeof to),
              1);
}

// How many datagrams `fd` takes within `wait` of the last one (stops early at `expected`).
int drain(int fd, int expected, Clock::duration wait) {
    int count = 0;
    auto deadline = Clock::now() + wait;
    std::array<std::uint8_t, 64> buffer{};
    while (count < expected && Clock::now() < deadline) {
        pollfd readable{fd, POLLIN, 0};
        if (::poll(&readable, 1, 20) != 1) continue;
        while (::recv(fd, buffer.data(), buffer.size(), 0) > 0) ++count;
        deadline = Clock::now() + wait;
    }
    return count;
}

TEST(UdpSendSocketTest, EveryArrivingDatagramGoesToTheReceivingSocket) {
    Socket receiver;
    ASSERT_TRUE(receiver.bound());
    auto sender = UdpSendSocket::openBeside(receiver.fd(), 1 << 20);
    ASSERT_TRUE(sender.has_value()) << "the kernel refused the port's second socket";

    // 64 senders, so 64 source ports: a port group without its steering program spreads them over
    // both sockets by a hash of the address (all 64 on one: about 1 in 2^64).
    std::vector<std::unique_ptr<Socket>> peers;
    for (int i = 0; i < 64; ++i) {
        peers.push_back(std::make_unique<Socket>());
        sendTo(peers.back()->fd(), receiver.port(), static_cast<std::uint8_t>(i));
    }
    EXPECT_EQ(drain(receiver.fd(), 64, 2s), 64);
    pollfd readable{sender->fd(), POLLIN, 0};
    EXPECT_EQ(::poll(&readable, 1, 0), 0) << "a datagram reached the send-only socket";
}

TEST(UdpSendSocketTest, SendsWithTheMediaPortAsSource) {
    Socket receiver;
    auto sender = UdpSendSocket::openBeside(receiver.fd(), 1 << 20);
    ASSERT_TRUE(sender.has_value());
    Socket peer;
    sendTo(sender->fd(), peer.port(), 7);

    pollfd readable{peer.fd(), POLLIN, 0};
    ASSERT_EQ(::poll(&readable, 1, 2000), 1);
    std::array<std::uint8_t, 8> buffer{};
    sockaddr_in from{};
    socklen_t length = sizeof from;
    ASSERT_EQ(::recvfrom(peer.fd(), buffer.data(), buffer.size(), 0,
                         reinterpret_cast<sockaddr*>(&from), &length),
              1);
    EXPECT_EQ(buffer[0], 7);
    EXPECT_EQ(ntohs(from.sin_port), receiver.port());
}

// Another server started on the same port (two instances given one MEDIA_PORT) must still fail
// to bind, as it did before the port had two sockets.
TEST(UdpSendSocketTest, ThePortStaysClosedToAnotherBind) {
    Socket receiver;
    auto sender = UdpSendSocket::openBeside(receiver.fd(), 1 << 20);
    ASSERT_TRUE(sender.has_value());
    Socket intruder(receiver.port());
    EXPECT_FALSE(intruder.bound());
    EXPECT_EQ(intruder.bindError(), EADDRINUSE);
}

// A socket with no port yet has nothing to share: binding "beside" it would take a fresh port
// that nobody receives on.
TEST(UdpSendSocketTest, AnUnboundSocketGetsNoSendSocket) {
    const int unbound = ::socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_GE(unbound, 0);
    const ClosesAtEnd closesUnbound{unbound};
    EXPECT_FALSE(UdpSendSocket::openBeside(unbound, 1 << 20).has_value());
}

// HOST=:: binds a dual-stack socket: IPv4 peers arrive as v4-mapped addresses, on both sockets.
TEST(UdpSendSocketTest, ADualStackPortSharesWithADualStackSocket) {
    const int receiver = ::socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    ASSERT_GE(receiver, 0);
    const ClosesAtEnd closesReceiver{receiver};
    const int off = 0;
    ::setsockopt(receiver, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    sockaddr_in6 any{};
    any.sin6_family = AF_INET6;
    any.sin6_addr = in6addr_any;
    ASSERT_EQ(::bind(receiver, reinterpret_cast<const sockaddr*>(&any), sizeof any), 0);
    socklen_t length = sizeof any;
    ::getsockname(receiver, reinterpret_cast<sockaddr*>(&any), &length);
    const auto port = ntohs(any.sin6_port);

    auto sender = UdpSendSocket::openBeside(receiver, 1 << 20);
    ASSERT_TRUE(sender.has_value());
    std::vector<std::unique_ptr<Socket>> peers;
    for (int i = 0; i < 16; ++i) {
        peers.push_back(std::make_unique<Socket>());
        sendTo(peers.back()->fd(), port, static_cast<std::uint8_t>(i));
    }
    EXPECT_EQ(drain(receiver, 16, 2s), 16);

    sockaddr_in6 mapped{};
    mapped.sin6_family = AF_INET6;
    mapped.sin6_port = htons(peers.front()->port());
    ASSERT_EQ(::inet_pton(AF_INET6, "::ffff:127.0.0.1", &mapped.sin6_addr), 1);
    const std::array<std::uint8_t, 1> payload{9};
    ASSERT_EQ(::sendto(sender->fd(), payload.data(), payload.size(), 0,
                       reinterpret_cast<const sockaddr*>(&mapped), sizeof mapped),
              1);
    EXPECT_EQ(drain(peers.front()->fd(), 1, 2s), 1);
}

}  // namespace
}  // namespace pulsemeet::media
