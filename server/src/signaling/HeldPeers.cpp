#include "signaling/HeldPeers.hpp"

namespace pulsemeet::signaling {

void HeldPeers::hold(const std::string& peerId, std::string roomId, Clock::time_point now,
                     DeliveryLog* unacknowledged, std::string resumeNonce) {
    Place place = placeFrom(std::move(roomId), unacknowledged);
    place.deadline = now + limits_.grace;
    place.resumeNonce = std::move(resumeNonce);
    places_.insert_or_assign(peerId, std::move(place));
}

HeldPeers::Place HeldPeers::placeFrom(std::string roomId, DeliveryLog* unacknowledged) {
    Place place;
    place.roomId = std::move(roomId);
    if (unacknowledged != nullptr) {
        place.firstIndex = unacknowledged->firstIndex();
        place.messages = unacknowledged->release();
        for (const auto& [type, message] : place.messages) place.bytes += message->size();
    }
    return place;
}

const HeldPeers::Place* HeldPeers::find(const std::string& peerId) const {
    const auto it = places_.find(peerId);
    return it == places_.end() ? nullptr : &it->second;
}

HeldPeers::BufferResult HeldPeers::buffer(const std::string& peerId, wire::MessageType type,
                                          const wire::SharedMessage& message) {
    const auto it = places_.find(peerId);
    if (it == places_.end()) return BufferResult::refused;
    Place& place = it->second;
    if (place.overflowed) return BufferResult::refused;
    if (place.messages.size() >= limits_.maxMessages ||
        place.bytes + message->size() > limits_.maxBytes) {
        place.overflowed = true;
        place.messages.clear();
        place.bytes = 0;
        return BufferResult::overflowed;
    }
    place.bytes += message->size();
    place.messages.emplace_back(type, message);
    return BufferResult::kept;
}

std::optional<HeldPeers::Place> HeldPeers::take(const std::string& peerId) {
    const auto it = places_.find(peerId);
    if (it == places_.end()) return std::nullopt;
    Place place = std::move(it->second);
    places_.erase(it);
    return place;
}

std::vector<HeldPeers::Ended> HeldPeers::expire(Clock::time_point now) {
    std::vector<Ended> ended;
    for (auto it = places_.begin(); it != places_.end();) {
        if (it->second.overflowed || now >= it->second.deadline) {
            ended.push_back(
                {it->first, std::move(it->second.roomId), std::move(it->second.resumeNonce)});
            it = places_.erase(it);
        } else {
            ++it;
        }
    }
    return ended;
}

}  // namespace pulsemeet::signaling
