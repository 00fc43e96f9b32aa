#include "net/HttpRateLimiter.hpp"

#include <algorithm>

namespace pulsemeet::net {

namespace {
constexpr auto kWindow = std::chrono::minutes(1);
}

int HttpRateLimiter::allow(const std::string& ip, Clock::time_point now) {
    if (perMinute_ <= 0) return 0;
    std::lock_guard lock(mutex_);
    purge(now);
    Window& window = windows_[ip];
    if (window.count == 0 || now - window.start >= kWindow) {
        window.start = now;
        window.count = 0;
    }
    if (window.count >= perMinute_) {
        const auto left = std::chrono::ceil<std::chrono::seconds>(window.start + kWindow - now);
        return std::max(1, static_cast<int>(left.count()));
    }
    ++window.count;
    return 0;
}

void HttpRateLimiter::purge(Clock::time_point now) {
    // Forget expired windows once a minute so one-off visitors do not pile up.
    if (now - lastPurge_ < kWindow) return;
    lastPurge_ = now;
    std::erase_if(windows_,
                  [now](const auto& entry) { return now - entry.second.start >= kWindow; });
}

}  // namespace pulsemeet::net
