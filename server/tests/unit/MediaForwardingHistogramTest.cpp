// The forwarding-time histogram's buckets: inclusive upper bounds in microseconds, +Inf last,
// per-bucket (not cumulative) counts, and sums that add up across media threads.
#include <gtest/gtest.h>

#include <chrono>

#include "media/ForwardingHistogram.hpp"
#include "media/SfuStats.hpp"

namespace pulsemeet::media {
namespace {

using namespace std::chrono_literals;

TEST(MediaForwardingHistogram, BoundsAreInclusiveAndTheLastBucketIsInfinity) {
    EXPECT_EQ(ForwardingHistogram::bucketFor(0ns), 0U);
    EXPECT_EQ(ForwardingHistogram::bucketFor(1000ns), 0U) << "1 us is in the le=1us bucket";
    EXPECT_EQ(ForwardingHistogram::bucketFor(1001ns), 1U);
    EXPECT_EQ(ForwardingHistogram::bucketFor(2us), 1U);
    EXPECT_EQ(ForwardingHistogram::bucketFor(3us), 2U);
    EXPECT_EQ(ForwardingHistogram::bucketFor(10us), 3U);
    EXPECT_EQ(ForwardingHistogram::bucketFor(500us), 8U);
    EXPECT_EQ(ForwardingHistogram::bucketFor(500us + 1ns), 9U) << "+Inf";
    EXPECT_EQ(ForwardingHistogram::bucketFor(1s), ForwardingHistogram::kBucketCount - 1);
    EXPECT_EQ(ForwardingHistogram::bucketFor(-5ns), 0U) << "a clock that went back is 0";
}

TEST(MediaForwardingHistogram, ObserveCountsOneBucketAndTheSumInNanoseconds) {
    ForwardingHistogram histogram;
    histogram.observe(800ns);
    histogram.observe(15us);
    histogram.observe(15us);
    histogram.observe(2ms);
    EXPECT_EQ(histogram.buckets[0], 1U);
    EXPECT_EQ(histogram.buckets[4], 2U) << "15 us: le=20us";
    EXPECT_EQ(histogram.buckets[9], 1U);
    EXPECT_EQ(histogram.count(), 4U);
    EXPECT_EQ(histogram.sumNanoseconds, 800U + 15000U + 15000U + 2000000U);
}

TEST(MediaForwardingHistogram, StatsOfMediaThreadsAddUp) {
    SfuStats first;
    first.forwarding.observe(1us);
    first.transportsClosed.handshakeTimeout = 2;
    first.droppedUnknownSender = 3;
    SfuStats second;
    second.forwarding.observe(1us);
    second.forwarding.observe(1ms);
    second.transportsClosed.handshakeTimeout = 1;
    second.transportsClosed.consentLost = 1;
    second.droppedUnknownSender = 4;
    first += second;
    EXPECT_EQ(first.forwarding.buckets[0], 2U);
    EXPECT_EQ(first.forwarding.buckets[9], 1U);
    EXPECT_EQ(first.forwarding.count(), 3U);
    EXPECT_EQ(first.forwarding.sumNanoseconds, 1000U + 1000U + 1000000U);
    EXPECT_EQ(first.transportsClosed.handshakeTimeout, 3U);
    EXPECT_EQ(first.transportsClosed.consentLost, 1U);
    EXPECT_EQ(first.droppedUnknownSender, 7U);
}

}  // namespace
}  // namespace pulsemeet::media
