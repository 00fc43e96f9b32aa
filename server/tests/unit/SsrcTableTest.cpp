// SsrcTable: the per-SSRC state of an SRTP session, found through its recent-SSRC arrays or its
// map. Every SSRC keeps its own state however many there are and in whatever order they come
// (more than the arrays hold, interleaved, evicted and found again), and a move takes it along.
#include <gtest/gtest.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "media/SsrcTable.hpp"

namespace pulsemeet::media {
namespace {

constexpr std::uint32_t kStreams = 3 * SsrcTable<int>::kRecent;

std::uint32_t ssrcOf(std::uint32_t stream) {
    return 0x10000000U + stream * 7919U;
}

TEST(SsrcTableTest, EachSsrcKeepsItsOwnStateAcrossEvictions) {
    SsrcTable<std::uint64_t> table;
    std::vector<std::uint64_t*> first(kStreams);
    for (std::uint32_t stream = 0; stream < kStreams; ++stream) {
        EXPECT_EQ(table.find(ssrcOf(stream)), nullptr);
        auto& state = table.findOrAdd(ssrcOf(stream));
        EXPECT_EQ(state, 0U);  // value-initialised
        first[stream] = &state;
    }
    EXPECT_EQ(table.size(), kStreams);
    // Interleaved rounds, forwards then backwards, each SSRC counting its own packets.
    for (int round = 0; round < 10; ++round) {
        for (std::uint32_t i = 0; i < kStreams; ++i) {
            const auto stream = round % 2 == 0 ? i : kStreams - 1 - i;
            auto& state = table.findOrAdd(ssrcOf(stream));
            ASSERT_EQ(&state, first[stream]) << stream;
            state += stream + 1;
        }
    }
    for (std::uint32_t stream = 0; stream < kStreams; ++stream) {
        const auto* state = table.find(ssrcOf(stream));
        ASSERT_NE(state, nullptr);
        EXPECT_EQ(*state, 10U * (stream + 1)) << stream;
    }
    EXPECT_EQ(table.find(0x0BADF00D), nullptr);
    EXPECT_EQ(table.size(), kStreams);
}

TEST(SsrcTableTest, AMoveTakesTheStateAlongAndLeavesNothingBehind) {
    SsrcTable<int> table;
    for (std::uint32_t stream = 0; stream < kStreams; ++stream)
        table.findOrAdd(ssrcOf(stream)) = static_cast<int>(stream) + 100;
    SsrcTable<int> moved(std::move(table));
    SsrcTable<int> assigned;
    assigned.findOrAdd(1) = 1;
    assigned = std::move(moved);
    for (std::uint32_t stream = 0; stream < kStreams; ++stream) {
        const auto* state = assigned.find(ssrcOf(stream));
        ASSERT_NE(state, nullptr);
        EXPECT_EQ(*state, static_cast<int>(stream) + 100);
    }
    EXPECT_EQ(assigned.find(1), nullptr);
    // The moved-from tables remember no SSRC: their recent arrays pointed into the map that
    // moved (using them after the move is what this checks).
    EXPECT_EQ(table.find(ssrcOf(kStreams - 1)), nullptr);
    EXPECT_EQ(moved.find(ssrcOf(kStreams - 1)), nullptr);
}

}  // namespace
}  // namespace pulsemeet::media
