#include "signaling/RoomJoinLimiter.hpp"

#include <algorithm>

namespace pulsemeet::signaling {

namespace {
constexpr auto kWindow = std::chrono::minutes(1);
// A full table is swept at most this often, so a flood of joins does not scan it every time.
constexpr auto kFullPurgeInterval = std::chrono::seconds(1);
}  // namespace

RoomJoinLimiter::RoomJoinLimiter(int roomsPerMinute, std::size_t maxEntries)
    : roomsPerMinute_(roomsPerMinute), maxEntries_(maxEntries) {}

bool RoomJoinLimiter::admit(std::string_view address, std::string_view roomId,
                            Clock::time_point now) {
    if (roomsPerMinute_ <= 0) return true;
    std::lock_guard lock(mutex_);
    if (now - lastPurge_ >= kWindow) purge(now);
    auto it = byAddress_.find(std::string(address));
    if (it != byAddress_.end()) {
        Rooms& rooms = it->second;
        forgetExpired(rooms, now);
        const bool known = std::any_of(rooms.begin(), rooms.end(), [&](const Joined& joined) {
            return joined.roomId == roomId;
        });
        if (known) return true;
        if (rooms.size() >= static_cast<std::size_t>(roomsPerMinute_)) return false;
    }
    if (entries_ >= maxEntries_ && now - lastPurge_ >= kFullPurgeInterval) {
        purge(now);
        it = byAddress_.find(std::string(address));
    }
    if (entries_ >= maxEntries_) return true;  // full of live entries: see the class comment
    if (it == byAddress_.end()) it = byAddress_.try_emplace(std::string(address)).first;
    it->second.push_back({std::string(roomId), now});
    ++entries_;
    return true;
}

void RoomJoinLimiter::forgetExpired(Rooms& rooms, Clock::time_point now) {
    const auto live = std::find_if(rooms.begin(), rooms.end(), [now](const Joined& joined) {
        return now - joined.at < kWindow;
    });
    entries_ -= static_cast<std::size_t>(live - rooms.begin());
    rooms.erase(rooms.begin(), live);
}

void RoomJoinLimiter::purge(Clock::time_point now) {
    lastPurge_ = now;
    for (auto it = byAddress_.begin(); it != byAddress_.end();) {
        forgetExpired(it->second, now);
        it = it->second.empty() ? byAddress_.erase(it) : std::next(it);
    }
}

std::size_t RoomJoinLimiter::trackedAddresses() const {
    std::lock_guard lock(mutex_);
    return byAddress_.size();
}

std::size_t RoomJoinLimiter::trackedRooms() const {
    std::lock_guard lock(mutex_);
    return entries_;
}

}  // namespace pulsemeet::signaling
