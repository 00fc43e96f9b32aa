#pragma once

#include <chrono>
#include <optional>

// Key-frame requests (PLI) towards one publisher stream, at most one per interval (one second,
// as mediasoup's KeyFrameRequestManager and issue 15 want): each one costs the publisher a large
// frame, and every subscriber that joins or loses sync asks. A request inside the interval is not
// lost: it makes one more PLI go out when the interval ends, unless a key frame arrives first.
namespace pulsemeet::media {

class KeyFrameRequestThrottle {
  public:
    using Clock = std::chrono::steady_clock;

    explicit KeyFrameRequestThrottle(Clock::duration interval = std::chrono::seconds(1))
        : interval_(interval) {}

    // Someone needs a key frame. True: send a PLI now.
    bool request(Clock::time_point now);
    // From the periodic timer. True: send the PLI deferred by request().
    bool poll(Clock::time_point now);
    // A key frame arrived: a deferred request is satisfied.
    void onKeyFrame() { retryPending_ = false; }
    // A PLI went out outside the throttle (see Producer::requestKeyFrameNow): the interval
    // starts again from now.
    void sentAnyway(Clock::time_point now) {
        lastSent_ = now;
        retryPending_ = false;
    }

    bool retryPending() const { return retryPending_; }

  private:
    bool intervalOver(Clock::time_point now) const {
        return !lastSent_ || now - *lastSent_ >= interval_;
    }

    Clock::duration interval_;
    std::optional<Clock::time_point> lastSent_;
    bool retryPending_ = false;
};

}  // namespace pulsemeet::media
