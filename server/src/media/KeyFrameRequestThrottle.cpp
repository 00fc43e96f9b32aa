#include "media/KeyFrameRequestThrottle.hpp"

namespace pulsemeet::media {

bool KeyFrameRequestThrottle::request(Clock::time_point now) {
    if (intervalOver(now)) {
        lastSent_ = now;
        retryPending_ = false;
        return true;
    }
    retryPending_ = true;
    return false;
}

bool KeyFrameRequestThrottle::poll(Clock::time_point now) {
    if (!retryPending_ || !intervalOver(now)) return false;
    lastSent_ = now;
    retryPending_ = false;
    return true;
}

}  // namespace pulsemeet::media
