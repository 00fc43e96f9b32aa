#include "media/UdpSendSocket.hpp"

#include <linux/filter.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <utility>

namespace pulsemeet::media {

namespace {

bool setInt(int fd, int level, int name, int value) {
    return ::setsockopt(fd, level, name, &value, sizeof value) == 0;
}

// A classic BPF program for the port's reuse group: every datagram to member 0, the receiving
// socket (the group is made when the second socket joins, with the bound socket first).
bool steerAllToFirstMember(int fd) {
    std::array<sock_filter, 1> code{{{BPF_RET | BPF_K, 0, 0, 0}}};
    const sock_fprog program{static_cast<unsigned short>(code.size()), code.data()};
    return ::setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &program, sizeof program) == 0;
}

std::uint16_t portOf(const sockaddr_storage& address) {
    if (address.ss_family == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
    if (address.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
    return 0;
}

}  // namespace

std::optional<UdpSendSocket> UdpSendSocket::openBeside(int receiveFd, int sendBufferBytes) {
    sockaddr_storage local{};
    socklen_t length = sizeof local;
    if (::getsockname(receiveFd, reinterpret_cast<sockaddr*>(&local), &length) != 0)
        return std::nullopt;
    if (portOf(local) == 0) return std::nullopt;  // not bound: there is no port to share
    int v6only = 0;
    socklen_t v6onlyLength = sizeof v6only;
    if (local.ss_family == AF_INET6)
        ::getsockopt(receiveFd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &v6onlyLength);

    UdpSendSocket sender(::socket(local.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (sender.fd_ < 0) return std::nullopt;
    // The same address family semantics as the receiving socket (a dual-stack socket shares its
    // port with a dual-stack socket only).
    if (local.ss_family == AF_INET6 && !setInt(sender.fd_, IPPROTO_IPV6, IPV6_V6ONLY, v6only))
        return std::nullopt;
    setInt(sender.fd_, SOL_SOCKET, SO_SNDBUF, sendBufferBytes);  // best effort, as the receiver's
    // Never read: whatever reaches it anyway (nothing should) takes the least memory.
    setInt(sender.fd_, SOL_SOCKET, SO_RCVBUF, 0);
    if (!setInt(receiveFd, SOL_SOCKET, SO_REUSEPORT, 1) ||
        !setInt(sender.fd_, SOL_SOCKET, SO_REUSEPORT, 1) ||
        ::bind(sender.fd_, reinterpret_cast<const sockaddr*>(&local), length) != 0 ||
        !steerAllToFirstMember(sender.fd_)) {
        setInt(receiveFd, SOL_SOCKET, SO_REUSEPORT, 0);
        return std::nullopt;
    }
    return sender;
}

UdpSendSocket::UdpSendSocket(UdpSendSocket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

UdpSendSocket& UdpSendSocket::operator=(UdpSendSocket&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

UdpSendSocket::~UdpSendSocket() {
    if (fd_ >= 0) ::close(fd_);
}

}  // namespace pulsemeet::media
