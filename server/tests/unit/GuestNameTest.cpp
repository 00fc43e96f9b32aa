// A nameless joiner's "Guest N": the smallest number nobody in the room holds.
#include <gtest/gtest.h>

#include "signaling/GuestName.hpp"

using pulsemeet::signaling::guestName;

TEST(GuestName, CountsFromOneAndSkipsTakenNumbers) {
    EXPECT_EQ(guestName({}), "Guest 1");
    EXPECT_EQ(guestName({"Ada", "Bob"}), "Guest 1");
    EXPECT_EQ(guestName({"Guest 1"}), "Guest 2");
    EXPECT_EQ(guestName({"Guest 2", "Guest 1", "Guest 3"}), "Guest 4");
}

TEST(GuestName, ReusesTheNumberOfSomeoneWhoLeft) {
    EXPECT_EQ(guestName({"Guest 1", "Guest 3"}), "Guest 2");
}

TEST(GuestName, OnlyAnExactMatchTakesANumber) {
    EXPECT_EQ(guestName({"Guest 10", "guest 1", "Guest 1 ", "Guest"}), "Guest 1");
}
