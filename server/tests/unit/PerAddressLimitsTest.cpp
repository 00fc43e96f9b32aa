// The per-address limits against room-id guessing (MAX_ROOMS_PER_IP_PER_MINUTE) and the key
// addresses are counted under.
#include <gtest/gtest.h>

#include <string>

#include "net/AddressKey.hpp"
#include "signaling/RoomJoinLimiter.hpp"

using pulsemeet::net::addressKey;
using pulsemeet::signaling::RoomJoinLimiter;
using namespace std::chrono_literals;

namespace {
const RoomJoinLimiter::Clock::time_point kStart{std::chrono::hours(1000)};
std::string room(int i) {
    return "room-" + std::to_string(i);
}
}  // namespace

TEST(RoomJoinLimiter, CountsDifferentRoomsPerAddressPerMinute) {
    RoomJoinLimiter limiter(3);
    for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(limiter.admit("10.0.0.1", room(i), kStart + std::chrono::seconds(10 * i)));
    }
    EXPECT_FALSE(limiter.admit("10.0.0.1", room(3), kStart + 21s)) << "a fourth room";
    EXPECT_TRUE(limiter.admit("10.0.0.1", room(1), kStart + 22s)) << "rejoins are free";
    EXPECT_TRUE(limiter.admit("10.0.0.2", room(3), kStart + 22s)) << "another address";
    // A minute after the first join (room 0, at kStart) its slot is free again, once.
    EXPECT_FALSE(limiter.admit("10.0.0.1", room(3), kStart + 59s));
    EXPECT_TRUE(limiter.admit("10.0.0.1", room(3), kStart + 60s));
    EXPECT_FALSE(limiter.admit("10.0.0.1", room(4), kStart + 60s));
}

TEST(RoomJoinLimiter, ZeroMeansNoLimit) {
    RoomJoinLimiter limiter(0);
    for (int i = 0; i < 1000; ++i) EXPECT_TRUE(limiter.admit("10.0.0.1", room(i), kStart));
    EXPECT_EQ(limiter.trackedRooms(), 0u);
}

TEST(RoomJoinLimiter, MemoryStaysBoundedUnderManyAddresses) {
    RoomJoinLimiter limiter(20, 1000);
    for (int i = 1; i <= 20; ++i) EXPECT_TRUE(limiter.admit("10.1.0.0", room(i), kStart));
    // 5000 addresses, 2 rooms each, all within one second: the table stops at its cap and the
    // joins it has no room for are let through (refusing them would lock everyone out).
    for (int a = 0; a < 5000; ++a) {
        const std::string address =
            "10.1." + std::to_string(a / 256) + "." + std::to_string(a % 256);
        EXPECT_TRUE(limiter.admit(address, room(1), kStart));
        EXPECT_TRUE(limiter.admit(address, room(2), kStart));
    }
    EXPECT_LE(limiter.trackedRooms(), 1000u);
    EXPECT_LE(limiter.trackedAddresses(), 1000u);
    // An address it tracked is still held to its limit.
    EXPECT_FALSE(limiter.admit("10.1.0.0", room(21), kStart))
        << "a tracked address keeps its count";
    // A minute later everything old is forgotten as soon as anyone joins.
    EXPECT_TRUE(limiter.admit("10.9.9.9", room(1), kStart + 61s));
    EXPECT_EQ(limiter.trackedRooms(), 1u);
    EXPECT_EQ(limiter.trackedAddresses(), 1u);
}

TEST(AddressKey, IPv4AsIsIPv6ByItsSlash64) {
    EXPECT_EQ(addressKey("203.0.113.7"), "203.0.113.7");
    EXPECT_EQ(addressKey("::ffff:203.0.113.7"), "203.0.113.7");
    EXPECT_EQ(addressKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
    EXPECT_EQ(addressKey("2001:db8:1:2::1"), addressKey("2001:db8:1:2:ffff::9"));
    EXPECT_NE(addressKey("2001:db8:1:2::1"), addressKey("2001:db8:1:3::1"));
    EXPECT_EQ(addressKey("::1"), "::/64");
    EXPECT_EQ(addressKey("unknown"), "unknown");
}
