#include "media/RoomForwarding.hpp"

#include <algorithm>
#include <utility>

#include "media/LastN.hpp"

namespace pulsemeet::media {

RoomForwarding::RoomForwarding(Options options)
    : options_(options),
      speakers_(options_.speaker),
      loudest_(LoudestAudio::Options{kLoudestAudio, options_.speaker.speechThreshold,
                                     options_.speaker.switchRatio}) {}

void RoomForwarding::addPeer(const std::string& peerId) {
    speakers_.addPeer(peerId);
}

void RoomForwarding::removePeer(const std::string& peerId) {
    speakers_.removePeer(peerId);
    pinned_.erase(peerId);
    announced_.erase(peerId);
}

bool RoomForwarding::setPinned(const std::string& viewerId, std::vector<std::string> pinned) {
    std::sort(pinned.begin(), pinned.end());
    pinned.erase(std::unique(pinned.begin(), pinned.end()), pinned.end());
    auto& current = pinned_[viewerId];
    if (current == pinned) return false;
    current = std::move(pinned);
    return true;
}

RoomForwarding::TickResult RoomForwarding::tick(Clock::time_point now) {
    TickResult result;
    result.speaker = speakers_.decide(now);
    // A new speaker reorders the history last-N reads.
    result.forwardingChanged = result.speaker.has_value();
    std::size_t count = 0;
    if (bigForAudio()) {
        speakers_.forEachLevel(now, [&](const std::string& peerId, double level) {
            if (count == levels_.size()) levels_.emplace_back();
            levels_[count].first = peerId;
            levels_[count].second = level;
            ++count;
        });
    }
    // A small room forwards every microphone (no levels): the selection starts afresh if it
    // grows again.
    levels_.resize(count);
    if (loudest_.update(levels_)) result.forwardingChanged = true;
    return result;
}

std::vector<TrackKey> RoomForwarding::forwardedFor(const std::string& viewerId,
                                                   const std::vector<TrackKey>& available) const {
    const auto pins = pinned_.find(viewerId);
    const std::vector<std::string> noPins;
    // Only people with a camera to forward hold a last-N place: a listener without one (a
    // viewer who joined early, a phone with its camera off) would otherwise keep a camera out.
    std::vector<std::string> withCamera;
    for (const auto& peerId : speakers_.recentSpeakers())
        if (std::find(available.begin(), available.end(), TrackKey{peerId, TrackSource::camera}) !=
            available.end())
            withCamera.push_back(peerId);
    const auto cameras = lastNCameras(
        withCamera, viewerId, pins == pinned_.end() ? noPins : pins->second, options_.videoLastN);
    const bool allAudio = !bigForAudio();
    std::vector<TrackKey> out;
    for (const auto& key : available) {
        bool forwarded = true;
        if (key.source == TrackSource::camera)
            forwarded = std::find(cameras.begin(), cameras.end(), key.publisherId) != cameras.end();
        else if (key.source == TrackSource::microphone)
            forwarded = allAudio || loudest_.selected(key.publisherId);
        if (forwarded) out.push_back(key);
    }
    return out;
}

bool RoomForwarding::announce(const std::string& viewerId,
                              const std::vector<AvailableTrack>& videos) {
    const auto found = announced_.find(viewerId);
    if (found != announced_.end() && found->second == videos) return false;
    announced_[viewerId] = videos;
    return true;
}

}  // namespace pulsemeet::media
