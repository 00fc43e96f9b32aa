#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/Origin.hpp"

namespace pulsemeet::net {

// Which pages may open /ws. Browsers always send Origin on a WebSocket upgrade; tools that send
// none are not pages, so the check (which protects users' browsers) lets them through.
//
// With ALLOWED_ORIGINS (or PUBLIC_URL) set, that list is the whole answer: an origin must equal
// an entry in scheme, host and port. The request's own Host header is not consulted, because an
// attacker controls it: after a DNS rebinding, evil.example resolves to a server on a private
// network and the browser sends `Origin: http://evil.example` with `Host: evil.example`.
// Only with no list at all (a trial on one machine) does "the page came from the host this
// upgrade is addressed to" apply.
class OriginPolicy {
  public:
    // `allowed`: ALLOWED_ORIGINS entries ("*" allows any); `publicUrl`: PUBLIC_URL, added to
    // them when set. Entries that are not origins never match (the configuration refuses them
    // at start-up, so that happens only to callers that bypass it).
    explicit OriginPolicy(const std::vector<std::string>& allowed, std::string_view publicUrl = {});
    bool allows(std::string_view origin, std::string_view host) const;
    // Whether a page from `origin` may read our HTTP answers across origins (CORS): only origins
    // the operator listed (or `*`), never by the same-host rule, and never a request with none.
    bool allowsCrossOrigin(std::string_view origin) const;

  private:
    bool any_ = false;
    bool listed_ = false;  // a list was given: it alone decides (fails closed if none parsed)
    std::vector<std::string> allowed_;  // canonical Origin::text()
};

}  // namespace pulsemeet::net
