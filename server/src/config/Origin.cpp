#include "config/Origin.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace pulsemeet::config {
namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::optional<std::uint16_t> defaultPort(std::string_view scheme) {
    if (scheme == "http" || scheme == "ws") return 80;
    if (scheme == "https" || scheme == "wss") return 443;
    return std::nullopt;
}

bool validScheme(std::string_view scheme) {
    if (scheme.empty() || !std::isalpha(static_cast<unsigned char>(scheme.front()))) return false;
    return std::all_of(scheme.begin(), scheme.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '+' || c == '-' || c == '.';
    });
}

// A DNS name or IPv4 address: letters, digits, '-', '.', '_'. Percent-escapes and the other
// characters RFC 3986 allows in a reg-name are not names a browser puts in an Origin.
bool validName(std::string_view host) {
    return !host.empty() && std::all_of(host.begin(), host.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '.' || c == '_';
    });
}

bool validIpv6Literal(std::string_view host) {
    if (host.size() < 4 || host.front() != '[' || host.back() != ']') return false;
    return std::all_of(host.begin() + 1, host.end() - 1,
                       [](unsigned char c) { return std::isxdigit(c) || c == ':' || c == '.'; });
}

// `host[:port]` for a given (already lower-cased, validated) scheme.
std::optional<Origin> parseAuthority(std::string scheme, std::string_view authority) {
    std::string_view host = authority;
    std::string_view portText;
    const auto closing = authority.rfind(']');
    const auto colon = authority.rfind(':');
    if (colon != std::string_view::npos && (closing == std::string_view::npos || colon > closing)) {
        host = authority.substr(0, colon);
        portText = authority.substr(colon + 1);
        if (portText.empty()) return std::nullopt;
    }
    if (!(validName(host) || validIpv6Literal(host))) return std::nullopt;
    std::optional<std::uint16_t> port = defaultPort(scheme);
    if (!portText.empty()) {
        unsigned value = 0;
        const auto* end = portText.data() + portText.size();
        const auto [ptr, ec] = std::from_chars(portText.data(), end, value);
        if (ec != std::errc{} || ptr != end || value == 0 || value > 65535) return std::nullopt;
        port = static_cast<std::uint16_t>(value);
    }
    if (!port) return std::nullopt;
    return Origin{std::move(scheme), lower(host), *port};
}

}  // namespace

std::string Origin::text() const {
    std::string out = scheme + "://" + host;
    if (defaultPort(scheme) != port) out += ":" + std::to_string(port);
    return out;
}

std::optional<Origin> parseOrigin(std::string_view text) {
    const auto separator = text.find("://");
    if (separator == std::string_view::npos) return std::nullopt;
    std::string scheme = lower(text.substr(0, separator));
    if (!validScheme(scheme)) return std::nullopt;
    std::string_view authority = text.substr(separator + 3);
    if (authority.ends_with('/')) authority.remove_suffix(1);
    return parseAuthority(std::move(scheme), authority);
}

std::optional<Origin> parseHostHeader(std::string_view scheme, std::string_view host) {
    std::string lowered = lower(scheme);
    if (!validScheme(lowered)) return std::nullopt;
    return parseAuthority(std::move(lowered), host);
}

}  // namespace pulsemeet::config
