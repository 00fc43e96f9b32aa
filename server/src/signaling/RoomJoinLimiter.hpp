#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pulsemeet::signaling {

// How many different rooms one client address may join in a minute (MAX_ROOMS_PER_IP_PER_MINUTE).
// Room ids are the only secret guarding an unauthenticated room, so a client that walks through
// ids looking for occupied rooms is held to a few dozen guesses a minute. A room joined again
// within the minute is not counted again, so reconnecting never uses the allowance up.
//
// Memory is bounded: an address keeps at most `roomsPerMinute` rooms, entries older than a
// minute are forgotten, and the whole table holds at most `maxEntries` rooms. When it is full of
// rooms joined in the last minute (only thousands of addresses joining at once get there), joins
// from addresses it has no space for are let through untracked: refusing them would let whoever
// fills the table lock everyone else out of every room.
class RoomJoinLimiter {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::size_t kDefaultMaxEntries = 100'000;  // about 15 MB of room ids at most

    explicit RoomJoinLimiter(int roomsPerMinute, std::size_t maxEntries = kDefaultMaxEntries);

    // True when `address` may join `roomId` now (and counts it); false when that would be a new
    // room over the limit. Always true when the limit is 0.
    bool admit(std::string_view address, std::string_view roomId,
               Clock::time_point now = Clock::now());

    std::size_t trackedAddresses() const;
    std::size_t trackedRooms() const;

  private:
    struct Joined {
        std::string roomId;
        Clock::time_point at;  // first join within the current window
    };
    using Rooms = std::vector<Joined>;  // oldest first

    void forgetExpired(Rooms& rooms, Clock::time_point now);
    void purge(Clock::time_point now);

    const int roomsPerMinute_;
    const std::size_t maxEntries_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Rooms> byAddress_;
    std::size_t entries_ = 0;
    Clock::time_point lastPurge_{};
};

}  // namespace pulsemeet::signaling
