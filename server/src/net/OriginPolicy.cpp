#include "net/OriginPolicy.hpp"

#include <algorithm>

namespace pulsemeet::net {

OriginPolicy::OriginPolicy(const std::vector<std::string>& allowed, std::string_view publicUrl) {
    std::vector<std::string_view> entries(allowed.begin(), allowed.end());
    if (!publicUrl.empty()) entries.push_back(publicUrl);
    listed_ = !entries.empty();
    for (const auto entry : entries) {
        if (entry == "*") {
            any_ = true;
        } else if (const auto origin = config::parseOrigin(entry)) {
            allowed_.push_back(origin->text());
        }
    }
}

bool OriginPolicy::allows(std::string_view origin, std::string_view host) const {
    if (origin.empty() || any_) return true;
    const auto parsed = config::parseOrigin(origin);
    if (!parsed) return false;  // "null" (sandboxed frames, file: pages) and garbage
    if (listed_) {
        return std::find(allowed_.begin(), allowed_.end(), parsed->text()) != allowed_.end();
    }
    // No list: the server's own origin, i.e. the page was served by the host the upgrade is
    // addressed to (same host and port; a proxy may have terminated TLS, so not the scheme).
    const auto own = config::parseHostHeader(parsed->scheme, host);
    return own && own->host == parsed->host && own->port == parsed->port;
}

bool OriginPolicy::allowsCrossOrigin(std::string_view origin) const {
    if (origin.empty() || !listed_) return false;
    if (any_) return config::parseOrigin(origin).has_value();
    return allows(origin, {});
}

}  // namespace pulsemeet::net
