#pragma once

#include <boost/asio/ip/address.hpp>

#include <string_view>

namespace pulsemeet::net {

// Loopback, private and link-local-v6 addresses: 127.0.0.0/8, 10.0.0.0/8, 172.16.0.0/12,
// 192.168.0.0/16, ::1, fc00::/7, fe80::/10, and IPv4-mapped IPv6 (::ffff:a.b.c.d) forms of the
// IPv4 ones. Not 0.0.0.0/::, not 169.254.0.0/16 (cloud metadata and DHCP fallbacks, nothing an
// operator scrapes from), not 100.64.0.0/10 (a carrier's shared space: other customers).
bool isPrivateNetworkAddress(const boost::asio::ip::address& address);

// Who may read /metrics, decided from the TCP peer only (never X-Forwarded-For, which anyone
// can send).
enum class MetricsVerdict {
    allowed,
    unauthorized,  // 401: METRICS_TOKEN is set and was not presented
    forbidden,     // 403: no token configured, and the client is not on a private network
};

struct MetricsRequest {
    boost::asio::ip::address peer;   // the TCP connection's remote address
    std::string_view authorization;  // the Authorization header
    // The request names a proxy hop (Forwarded, X-Forwarded-For, X-Real-IP): the peer is then
    // a proxy passing someone else's request, typically from 127.0.0.1, so the peer's address
    // says nothing about the client. The header can only take access away, never grant it.
    bool proxied = false;
};

// `token` empty: allowed to private-network peers that are not proxies. `token` set: allowed to
// whoever presents it as `Authorization: Bearer <token>` (compared in constant time), from any
// address, and to nobody else: a proxy on the same machine would otherwise make every client
// look like loopback.
MetricsVerdict metricsVerdict(const MetricsRequest& request, std::string_view token);

}  // namespace pulsemeet::net
