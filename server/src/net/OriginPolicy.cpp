#include "net/OriginPolicy.hpp"

#include <algorithm>

namespace pulsemeet::net {
namespace {

std::string normalise(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    while (!out.empty() && out.back() == '/') out.pop_back();
    return out;
}

}  // namespace

OriginPolicy::OriginPolicy(std::vector<std::string> allowed) {
    for (const auto& origin : allowed) {
        if (origin == "*")
            any_ = true;
        else
            allowed_.push_back(normalise(origin));
    }
}

bool OriginPolicy::allows(std::string_view origin, std::string_view host) const {
    if (origin.empty() || any_) return true;
    const std::string normalised = normalise(origin);
    if (std::find(allowed_.begin(), allowed_.end(), normalised) != allowed_.end()) return true;
    // The server's own origin: the page was served by the host the upgrade is addressed to.
    const auto scheme = normalised.find("://");
    return scheme != std::string::npos && !host.empty() &&
           normalised.substr(scheme + 3) == normalise(host);
}

}  // namespace pulsemeet::net
