// Sequence number rewriting for one subscriber: drops leave no gaps, losses still do, late
// packets get their in-order number, wrap-around and source restarts are handled.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "media/SeqManager.hpp"

using pulsemeet::media::SeqManager;

TEST(MediaSeqManager, DropsLeaveNoGap) {
    SeqManager seq(1000);
    EXPECT_EQ(seq.forward(50), 1000);
    EXPECT_EQ(seq.forward(51), 1001);
    seq.drop(52);  // e.g. a padding-only probe
    seq.drop(53);
    EXPECT_EQ(seq.forward(54), 1002);
    EXPECT_EQ(seq.forward(55), 1003);
    EXPECT_EQ(seq.lastOutput(), 1003);
}

TEST(MediaSeqManager, LossUpstreamStaysAGap) {
    SeqManager seq(0);
    EXPECT_EQ(seq.forward(10), 0);
    // 11 and 12 lost on the way in: the subscriber must see the gap to NACK it (from us).
    EXPECT_EQ(seq.forward(13), 3);
    // ... and the retransmission, when it comes, fills it.
    EXPECT_EQ(seq.forward(11), 1);
    EXPECT_EQ(seq.forward(12), 2);
}

TEST(MediaSeqManager, LatePacketsCountOnlyTheDropsBeforeThem) {
    SeqManager seq(100);
    EXPECT_EQ(seq.forward(1), 100);
    seq.drop(2);
    // 3 is late; 4 arrives first, then a drop after it.
    EXPECT_EQ(seq.forward(4), 102);
    seq.drop(5);
    EXPECT_EQ(seq.forward(6), 103);
    EXPECT_EQ(seq.forward(3), 101) << "number between its neighbours, despite drop 5 after it";
    EXPECT_FALSE(seq.forward(2)) << "a copy of a packet we dropped is dropped again";
    EXPECT_FALSE(seq.forward(5));
}

TEST(MediaSeqManager, WrapsAroundBothSides) {
    SeqManager seq(65533);
    EXPECT_EQ(seq.forward(65534), 65533);
    seq.drop(65535);
    EXPECT_EQ(seq.forward(0), 65534);
    seq.drop(1);
    EXPECT_EQ(seq.forward(2), 65535);
    EXPECT_EQ(seq.forward(3), 0) << "output wraps";
    EXPECT_EQ(seq.forward(4), 1);
    // A long run across several input wraps keeps outputs consecutive.
    SeqManager run(0);
    std::uint16_t input = 60000;
    std::uint16_t expected = 0;
    for (int i = 0; i < 200000; ++i, ++input) {
        if (i % 7 == 3) {
            run.drop(input);
            continue;
        }
        ASSERT_EQ(run.forward(input), expected) << i;
        ++expected;
    }
}

TEST(MediaSeqManager, DropBeforeTheFirstPacket) {
    SeqManager seq(500);
    seq.drop(9);
    EXPECT_FALSE(seq.lastOutput());
    EXPECT_EQ(seq.forward(10), 500);
    EXPECT_FALSE(seq.forward(9));
}

TEST(MediaSeqManager, ResyncContinuesAfterTheLastOutput) {
    SeqManager seq(0);
    EXPECT_EQ(seq.forward(100), 0);
    EXPECT_EQ(seq.forward(101), 1);
    // A layer switch: the new layer's numbering is unrelated.
    seq.resync(40000);
    EXPECT_EQ(seq.forward(40000), 2);
    EXPECT_EQ(seq.forward(40001), 3);
    EXPECT_FALSE(seq.forward(39999)) << "nothing from before the switch point";
    // (Late packets of the old layer are told apart by their SSRC, before the SeqManager.)
    seq.resync(7, 1);  // leave a one-number gap
    EXPECT_EQ(seq.forward(7), 5);
}

TEST(MediaSeqManager, SourceRestartIsNotTakenForALatePacket) {
    SeqManager seq(0);
    EXPECT_EQ(seq.forward(30000), 0);
    EXPECT_EQ(seq.forward(30001), 1);
    // The publisher restarted at 20000: far behind, so a new numbering, not 10000 late packets.
    EXPECT_EQ(seq.forward(20000), 2);
    EXPECT_EQ(seq.forward(20001), 3);
}

TEST(MediaSeqManager, ForgottenDropsRefuseLatePacketsInsteadOfMisnumbering) {
    SeqManager seq(0);
    EXPECT_EQ(seq.forward(0), 0);
    // Every other packet dropped, more drops than the history holds.
    std::uint16_t input = 1;
    for (std::size_t i = 0; i < SeqManager::kDropHistory + 10; ++i) {
        seq.drop(input++);
        ASSERT_TRUE(seq.forward(input++));
    }
    EXPECT_FALSE(seq.forward(2)) << "its drops are forgotten: refused, not numbered wrongly";
}
