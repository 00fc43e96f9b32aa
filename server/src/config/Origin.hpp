#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pulsemeet::config {

// A web origin (RFC 6454): scheme, host and port, the unit browsers send in `Origin` and the
// unit ALLOWED_ORIGINS and PUBLIC_URL are compared in. Parsed here because the configuration
// validates those settings at start-up and the origin check (net/OriginPolicy) compares them
// with what a browser sent, and both must agree on what "the same origin" means.
struct Origin {
    std::string scheme;  // lower case
    std::string host;    // lower case; an IPv6 literal keeps its brackets
    std::uint16_t port;  // always set: the scheme's default when the text had none

    // "scheme://host[:port]", the port left out when it is the scheme's default: the form a
    // browser sends, so two spellings of one origin compare equal as text.
    std::string text() const;
    bool operator==(const Origin&) const = default;
};

// `scheme://host[:port]`, optionally followed by a single "/". Nothing else: no user info,
// path, query or fragment, no whitespace, a port from 1 to 65535. Schemes other than http(s)
// and ws(s) need an explicit port (there is no default to compare with).
std::optional<Origin> parseOrigin(std::string_view text);

// The `Host` header of a request whose page had `scheme`: `host[:port]`, same rules.
std::optional<Origin> parseHostHeader(std::string_view scheme, std::string_view host);

}  // namespace pulsemeet::config
