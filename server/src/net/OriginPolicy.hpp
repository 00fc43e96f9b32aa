#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pulsemeet::net {

// Which pages may open /ws. Browsers always send Origin on a WebSocket upgrade; tools that send
// none are not pages, so the check (which protects users' browsers) lets them through.
class OriginPolicy {
  public:
    explicit OriginPolicy(std::vector<std::string> allowed);
    bool allows(std::string_view origin, std::string_view host) const;

  private:
    bool any_ = false;
    std::vector<std::string> allowed_;  // normalised: lowercase, no trailing slash
};

}  // namespace pulsemeet::net
