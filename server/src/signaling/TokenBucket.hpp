#pragma once

#include <algorithm>
#include <chrono>

namespace pulsemeet::signaling {

// Per-connection message limiter: `ratePerSecond` tokens a second, holding at most `burst`.
// A rate of 0 disables it. Not thread-safe: one connection's reads are sequential.
class TokenBucket {
  public:
    using Clock = std::chrono::steady_clock;

    TokenBucket(double ratePerSecond, double burst, Clock::time_point now = Clock::now())
        : rate_(ratePerSecond), burst_(burst), tokens_(burst), last_(now) {}

    bool tryTake(Clock::time_point now) {
        if (rate_ <= 0) return true;
        const std::chrono::duration<double> elapsed = now - last_;
        last_ = now;
        tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
        if (tokens_ < 1.0) return false;
        tokens_ -= 1.0;
        return true;
    }

  private:
    double rate_;
    double burst_;
    double tokens_;
    Clock::time_point last_;
};

}  // namespace pulsemeet::signaling
