#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace pulsemeet::net {

// Per-IP fixed one-minute windows. allow() answers 0 when the request may go ahead, else the
// seconds until the window resets (for Retry-After).
class HttpRateLimiter {
  public:
    using Clock = std::chrono::steady_clock;

    explicit HttpRateLimiter(int perMinute) : perMinute_(perMinute) {}
    int allow(const std::string& ip, Clock::time_point now = Clock::now());

  private:
    struct Window {
        Clock::time_point start;
        int count = 0;
    };
    void purge(Clock::time_point now);

    int perMinute_;
    std::mutex mutex_;
    std::unordered_map<std::string, Window> windows_;
    Clock::time_point lastPurge_{};
};

}  // namespace pulsemeet::net
