#include "media/NackGenerator.hpp"

#include <algorithm>

namespace pulsemeet::media {

NackGenerator::NackGenerator() : NackGenerator(Limits{}) {}

NackGenerator::NackGenerator(Limits limits) : limits_(limits) {
    missing_.reserve(limits_.maxListSize);
    due_.reserve(limits_.maxListSize);
}

std::int64_t NackGenerator::extend(std::uint16_t sequenceNumber) const {
    const auto delta =
        static_cast<std::int16_t>(static_cast<std::uint16_t>(sequenceNumber - highest_));
    return highest_ + delta;
}

NackGenerator::Result NackGenerator::reset(std::int64_t extended) {
    missing_.clear();
    highest_ = extended;
    return Result::keyFrameNeeded;
}

NackGenerator::Result NackGenerator::onPacket(std::uint16_t sequenceNumber, Clock::time_point now) {
    if (!started_) {
        started_ = true;
        highest_ = sequenceNumber;
        return Result::ok;
    }
    const std::int64_t extended = extend(sequenceNumber);
    if (extended == highest_) return Result::ok;  // duplicate
    if (extended < highest_) {
        if (highest_ - extended > limits_.maxPacketAge) {
            // Far behind anything we could still want: the source restarted its numbering.
            return reset(extended);
        }
        // Late or retransmitted: no longer missing.
        const auto it = std::lower_bound(
            missing_.begin(), missing_.end(), extended,
            [](const Missing& entry, std::int64_t value) { return entry.extended < value; });
        if (it != missing_.end() && it->extended == extended) {
            missing_.erase(it);
            ++recovered_;
        }
        return Result::ok;
    }

    const std::int64_t gap = extended - highest_ - 1;
    // Forget what is too old to be worth asking for.
    const std::int64_t oldestWanted = extended - limits_.maxPacketAge;
    const auto firstWanted = std::find_if(missing_.begin(), missing_.end(), [&](const Missing& m) {
        return m.extended >= oldestWanted;
    });
    missing_.erase(missing_.begin(), firstWanted);
    // A gap wider than the list, or one that would overflow it: beyond what NACK can repair.
    if (static_cast<std::size_t>(gap) > limits_.maxListSize - missing_.size())
        return reset(extended);
    for (std::int64_t lost = highest_ + 1; lost < extended; ++lost)
        missing_.push_back(Missing{lost, now, now, 0});
    highest_ = extended;
    return Result::ok;
}

std::span<const std::uint16_t> NackGenerator::due(Clock::time_point now, Clock::duration rtt) {
    due_.clear();
    const Clock::duration retryInterval = std::max(rtt, limits_.minRetryInterval);
    // Compacts in place: entries given up are dropped, the others move down.
    std::size_t kept = 0;
    for (std::size_t i = 0; i < missing_.size(); ++i) {
        Missing entry = missing_[i];
        const bool ready = entry.retries == 0 ? now - entry.detectedAt >= limits_.firstNackDelay
                                              : now - entry.lastSentAt >= retryInterval;
        if (ready) {
            if (entry.retries >= limits_.maxRetries) {
                ++givenUp_;
                continue;
            }
            ++entry.retries;
            entry.lastSentAt = now;
            due_.push_back(static_cast<std::uint16_t>(entry.extended));
        }
        missing_[kept++] = entry;
    }
    missing_.resize(kept);
    return due_;
}

}  // namespace pulsemeet::media
