#include "signaling/MediaProbes.hpp"

#include <algorithm>

namespace pulsemeet::signaling {

MediaProbes::Probe MediaProbes::start(const std::string& peerId, Clock::time_point now) {
    auto& starts = recentStarts_[peerId];
    while (!starts.empty() && now - starts.front() >= std::chrono::minutes(1)) starts.pop_front();
    if (starts.size() >= kPerPeerPerMinute || active_.size() >= kMaxActive) {
        if (starts.empty()) recentStarts_.erase(peerId);
        return {};
    }
    starts.push_back(now);
    Probe probe{"probe:" + peerId + ":" + std::to_string(++next_), peerId};
    active_.push_back({probe, now + kLifetime});
    return probe;
}

std::vector<MediaProbes::Probe> MediaProbes::expire(Clock::time_point now) {
    std::vector<Probe> ended;
    while (!active_.empty() && active_.front().endsAt <= now) {
        ended.push_back(std::move(active_.front().probe));
        active_.pop_front();
    }
    std::erase_if(recentStarts_, [now](const auto& entry) {
        return entry.second.empty() || now - entry.second.back() >= std::chrono::minutes(1);
    });
    return ended;
}

std::vector<MediaProbes::Probe> MediaProbes::endAll(const std::string& peerId) {
    std::vector<Probe> ended;
    for (auto& entry : active_) {
        if (entry.probe.peerId == peerId) ended.push_back(entry.probe);
    }
    std::erase_if(active_, [&peerId](const Active& entry) { return entry.probe.peerId == peerId; });
    return ended;
}

}  // namespace pulsemeet::signaling
