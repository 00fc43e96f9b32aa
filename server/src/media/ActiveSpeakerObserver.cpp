#include "media/ActiveSpeakerObserver.hpp"

#include <algorithm>

namespace pulsemeet::media {

ActiveSpeakerObserver::ActiveSpeakerObserver(Options options)
    : options_(options),
      bucketDuration_(std::max<Clock::duration>(options_.window / kBuckets, Clock::duration(1))) {}

std::int64_t ActiveSpeakerObserver::bucketIndex(Clock::time_point now) const {
    return static_cast<std::int64_t>(now.time_since_epoch() / bucketDuration_);
}

void ActiveSpeakerObserver::addPeer(const std::string& peerId) {
    const auto [entry, added] = levels_.emplace(peerId, Levels{});
    if (!added) return;
    recent_.push_back(peerId);
    recentLevels_.push_back(&entry->second);
}

void ActiveSpeakerObserver::removePeer(const std::string& peerId) {
    const auto at = std::find(recent_.begin(), recent_.end(), peerId);
    if (at != recent_.end()) {
        recentLevels_.erase(recentLevels_.begin() + (at - recent_.begin()));
        recent_.erase(at);
    }
    levels_.erase(peerId);
    if (speaker_ == peerId) speaker_.reset();
}

void ActiveSpeakerObserver::onLevel(const std::string& peerId, AudioLevel level,
                                    Clock::time_point now) {
    const auto found = levels_.find(peerId);
    if (found == levels_.end()) return;
    const auto index = bucketIndex(now);
    auto& bucket = found->second.buckets[static_cast<std::size_t>(index) % kBuckets];
    if (bucket.index != index) bucket = Bucket{index, 0, 0};
    bucket.sum += level.linear();
    ++bucket.count;
    found->second.newest = std::max(found->second.newest, index);
}

double ActiveSpeakerObserver::levelOf(const Levels& levels, std::int64_t newestIndex) {
    const auto oldest = newestIndex - static_cast<std::int64_t>(kBuckets);
    if (levels.newest <= oldest) return 0;  // nothing in the window
    double sum = 0;
    std::uint32_t count = 0;
    for (const auto& bucket : levels.buckets) {
        if (bucket.index <= oldest || bucket.index > newestIndex) continue;
        sum += bucket.sum;
        count += bucket.count;
    }
    return count == 0 ? 0 : sum / count;
}

double ActiveSpeakerObserver::level(const std::string& peerId, Clock::time_point now) const {
    const auto found = levels_.find(peerId);
    return found == levels_.end() ? 0 : levelOf(found->second, bucketIndex(now));
}

std::optional<ActiveSpeakerObserver::Change> ActiveSpeakerObserver::decide(Clock::time_point now) {
    const std::string* loudest = nullptr;
    double loudestLevel = 0;
    // A fixed order: ties go to the more recent speaker.
    forEachLevel(now, [&](const std::string& peerId, double peerLevel) {
        if (peerLevel > loudestLevel) {
            loudest = &peerId;
            loudestLevel = peerLevel;
        }
    });
    if (!loudest || loudestLevel < options_.speechThreshold || *loudest == speaker_)
        return std::nullopt;
    if (lastChange_ && now - *lastChange_ < options_.minHold) return std::nullopt;
    if (speaker_) {
        const double current = level(*speaker_, now);
        if (current >= options_.speechThreshold && loudestLevel < current * options_.switchRatio)
            return std::nullopt;
    }
    speaker_ = *loudest;
    lastChange_ = now;
    const auto at = std::find(recent_.begin(), recent_.end(), *speaker_);
    const auto atLevels = recentLevels_.begin() + (at - recent_.begin());
    std::rotate(recent_.begin(), at, at + 1);
    std::rotate(recentLevels_.begin(), atLevels, atLevels + 1);
    return Change{*speaker_, loudestLevel};
}

}  // namespace pulsemeet::media
