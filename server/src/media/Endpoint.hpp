#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

// A UDP/TCP transport address (IP + port) as plain bytes, so the packet logic (STUN, ICE-lite)
// is testable without sockets and its headers stay free of Asio. The socket layer converts its
// endpoint type to and from this one.
namespace pulsemeet::media {

struct Endpoint {
    enum class Family : std::uint8_t { ipv4, ipv6 };
    // ICE over TCP (RFC 6544): a client's TCP connection is a tuple of its own, distinct from a
    // UDP sender with the same address and port, and answers to it go back on that connection.
    enum class Protocol : std::uint8_t { udp, tcp };

    Family family = Family::ipv4;
    // IPv4 uses the first 4 bytes; the rest stay zero so that == compares whole values.
    std::array<std::uint8_t, 16> address{};
    std::uint16_t port = 0;
    Protocol protocol = Protocol::udp;

    static Endpoint v4(std::array<std::uint8_t, 4> ip, std::uint16_t port) {
        Endpoint endpoint;
        endpoint.family = Family::ipv4;
        for (std::size_t i = 0; i < ip.size(); ++i) endpoint.address[i] = ip[i];
        endpoint.port = port;
        return endpoint;
    }

    static Endpoint v6(const std::array<std::uint8_t, 16>& ip, std::uint16_t port) {
        return Endpoint{Family::ipv6, ip, port};
    }

    Endpoint withProtocol(Protocol value) const {
        Endpoint copy = *this;
        copy.protocol = value;
        return copy;
    }

    std::size_t addressSize() const { return family == Family::ipv4 ? 4 : 16; }

    friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

struct EndpointHash {
    std::size_t operator()(const Endpoint& endpoint) const {
        std::size_t hash = std::hash<std::string_view>{}(std::string_view(
            reinterpret_cast<const char*>(endpoint.address.data()), endpoint.address.size()));
        hash ^= std::size_t{endpoint.port} << 2 | static_cast<std::size_t>(endpoint.family) << 1 |
                static_cast<std::size_t>(endpoint.protocol);
        return hash;
    }
};

// "192.0.2.1:5000" or "[2001:db8::1]:5000" (with "/tcp" after a TCP one), for logs.
std::string toString(const Endpoint& endpoint);

}  // namespace pulsemeet::media
