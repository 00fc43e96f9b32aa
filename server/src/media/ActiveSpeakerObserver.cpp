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
    if (levels_.contains(peerId)) return;
    levels_.emplace(peerId, Levels{});
    recent_.push_back(peerId);
}

void ActiveSpeakerObserver::removePeer(const std::string& peerId) {
    levels_.erase(peerId);
    std::erase(recent_, peerId);
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
}

double ActiveSpeakerObserver::level(const std::string& peerId, Clock::time_point now) const {
    const auto found = levels_.find(peerId);
    if (found == levels_.end()) return 0;
    const auto newest = bucketIndex(now);
    double sum = 0;
    std::uint32_t count = 0;
    for (const auto& bucket : found->second.buckets) {
        if (bucket.index <= newest - static_cast<std::int64_t>(kBuckets) || bucket.index > newest)
            continue;
        sum += bucket.sum;
        count += bucket.count;
    }
    return count == 0 ? 0 : sum / count;
}

std::optional<ActiveSpeakerObserver::Change> ActiveSpeakerObserver::decide(Clock::time_point now) {
    std::optional<std::string> loudest;
    double loudestLevel = 0;
    for (const auto& peerId : recent_) {  // a fixed order: ties go to the more recent speaker
        const double peerLevel = level(peerId, now);
        if (peerLevel > loudestLevel) {
            loudest = peerId;
            loudestLevel = peerLevel;
        }
    }
    if (!loudest || loudestLevel < options_.speechThreshold || loudest == speaker_)
        return std::nullopt;
    if (lastChange_ && now - *lastChange_ < options_.minHold) return std::nullopt;
    if (speaker_) {
        const double current = level(*speaker_, now);
        if (current >= options_.speechThreshold && loudestLevel < current * options_.switchRatio)
            return std::nullopt;
    }
    speaker_ = loudest;
    lastChange_ = now;
    const auto at = std::find(recent_.begin(), recent_.end(), *loudest);
    std::rotate(recent_.begin(), at, at + 1);
    return Change{*loudest, loudestLevel};
}

}  // namespace pulsemeet::media
