// A big room's 20 ms tick allocates nothing once it is steady (issue 19): with 101 people on the
// media server, RoomForwarding::tick reads every peer's smoothed audio level for the three
// loudest microphones, and it used to copy each peer id (32 hex characters, so on the heap) into
// a fresh vector on every tick: 5 000 allocations a second. Counted with every allocation in the
// process (AllocationCounter).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "AllocationCounter.hpp"
#include "media/AudioLevel.hpp"
#include "media/RoomForwarding.hpp"

namespace pulsemeet::media {
namespace {

using namespace std::chrono_literals;
using pulsemeet::testing::AllocationScope;
using Clock = RoomForwarding::Clock;

// A peer id as the server makes them (wire::newPeerId: 16 random bytes in hex).
std::string peerId(int i) {
    std::string id = "0123456789abcdef0123456789abcdef";
    const auto digits = std::to_string(i);
    id.replace(id.size() - digits.size(), digits.size(), digits);
    return id;
}

TEST(BigRoomTickAllocations, ATickOfAHundredAndOnePeopleAllocatesNothingOnceSteady) {
    RoomForwarding room(RoomForwarding::Options{});
    for (int i = 0; i <= 100; ++i) room.addPeer(peerId(i));
    const auto speaker = peerId(100);
    auto now = Clock::time_point{} + 1000s;
    const auto speak = [&] { room.onAudioLevel(speaker, {20, true}, now); };
    // Warm-up: the speaker becomes the active speaker and takes a microphone place.
    for (int tick = 0; tick < 10; ++tick, now += 20ms) {
        speak();
        room.tick(now);
    }
    ASSERT_EQ(room.speakers().speaker(), speaker);
    ASSERT_TRUE(room.loudestAudio().selected(speaker));

    const AllocationScope scope;
    for (int tick = 0; tick < 50; ++tick, now += 20ms) {
        speak();
        const auto result = room.tick(now);
        EXPECT_FALSE(result.forwardingChanged);
    }
    EXPECT_EQ(scope.count(), 0U) << "allocations in 50 ticks (one second) of a steady room";
}

}  // namespace
}  // namespace pulsemeet::media
