// The feedback pieces: retransmission buffer and forwarded-packet log (answering NACKs), NACK
// generation (asking for losses upstream), and the key-frame request throttle.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <numeric>
#include <vector>

#include "media/ForwardedPacketLog.hpp"
#include "media/KeyFrameRequestThrottle.hpp"
#include "media/NackGenerator.hpp"
#include "media/RetransmissionBuffer.hpp"

using namespace pulsemeet::media;
using namespace std::chrono_literals;

namespace {

std::vector<std::uint16_t> asVector(std::span<const std::uint16_t> span) {
    return {span.begin(), span.end()};
}

}  // namespace

TEST(MediaRetransmissionBuffer, FindsTheStoredBytes) {
    const auto now = RetransmissionBuffer::Clock::now();
    RetransmissionBuffer buffer(100, 2s);
    EXPECT_EQ(buffer.capacity(), 128U);
    const std::vector<std::uint8_t> packet{1, 2, 3, 4};
    ASSERT_TRUE(buffer.store(65535, packet, now));
    const auto found = buffer.find(65535, now + 10ms);
    ASSERT_TRUE(found);
    EXPECT_EQ(std::vector<std::uint8_t>(found->begin(), found->end()), packet);
    EXPECT_FALSE(buffer.find(65534, now)) << "never stored";
    EXPECT_FALSE(buffer.find(0, now));
}

TEST(MediaRetransmissionBuffer, BoundedByCountAndAge) {
    const auto now = RetransmissionBuffer::Clock::now();
    RetransmissionBuffer buffer(4, 1s);
    const std::vector<std::uint8_t> packet(100, 7);
    for (std::uint16_t seq = 10; seq < 16; ++seq) buffer.store(seq, packet, now);
    EXPECT_FALSE(buffer.find(10, now)) << "overwritten by 14";
    EXPECT_FALSE(buffer.find(11, now)) << "overwritten by 15";
    EXPECT_TRUE(buffer.find(12, now));
    EXPECT_TRUE(buffer.find(15, now));
    buffer.store(20, packet, now);
    EXPECT_TRUE(buffer.find(20, now + 1s));
    EXPECT_FALSE(buffer.find(20, now + 1001ms)) << "older than the age bound";
    const std::vector<std::uint8_t> jumbo(RetransmissionBuffer::kMaxPacketSize + 1, 0);
    EXPECT_FALSE(buffer.store(21, jumbo, now));
    EXPECT_EQ(RetransmissionBuffer(1'000'000, 1s).capacity(), RetransmissionBuffer::kMaxCapacity);
}

// Resident memory of this process, from the kernel's count (/proc/self/statm, in pages).
std::size_t residentBytes() {
    std::ifstream statm("/proc/self/statm");
    std::size_t size = 0;
    std::size_t resident = 0;
    statm >> size >> resident;
    return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

TEST(MediaRetransmissionBuffer, AStreamThatStoppedGivesItsPagesBack) {
    // A camera at about 2.5 Mbit/s for 1.5 s (300 packets of 1 200 bytes, 5 ms apart), then
    // nothing: a simulcast layer the publisher paused. Its pages stay while a packet could
    // still be asked for, and go back to the kernel once none can.
    const auto start = RetransmissionBuffer::Clock::now();
    const std::size_t before = residentBytes();
    RetransmissionBuffer buffer(512, 2s);
    std::vector<std::uint8_t> packet(1200);
    auto now = start;
    for (std::uint16_t seq = 0; seq < 300; ++seq, now += 5ms) {
        std::fill(packet.begin(), packet.end(), static_cast<std::uint8_t>(seq));
        ASSERT_TRUE(buffer.store(seq, packet, now));
    }
    const auto last = now - 5ms;
    const std::size_t stored = 300 * 1216;  // 1 200 bytes, to the next cache line
    EXPECT_EQ(buffer.bytesTouched(), stored - 16);
    const std::size_t touched = residentBytes();
    EXPECT_GE(touched, before + stored / 2) << "the stored packets are resident";

    EXPECT_FALSE(buffer.releaseIfIdle(last + 2s)) << "the newest is still within 2 s";
    ASSERT_TRUE(buffer.find(299, last + 2s));
    EXPECT_TRUE(buffer.releaseIfIdle(last + 2001ms));
    EXPECT_EQ(buffer.bytesTouched(), 0U);
    EXPECT_LE(residentBytes(), touched - stored / 2) << "the pages went back to the kernel";
    EXPECT_FALSE(buffer.find(299, last + 2001ms));
    EXPECT_FALSE(buffer.releaseIfIdle(last + 5s)) << "nothing left to release";

    // The stream resumes: stored and found again, the bytes intact.
    std::fill(packet.begin(), packet.end(), std::uint8_t{0x5A});
    ASSERT_TRUE(buffer.store(300, packet, last + 3s));
    const auto found = buffer.find(300, last + 3s);
    ASSERT_TRUE(found);
    EXPECT_EQ(std::vector<std::uint8_t>(found->begin(), found->end()), packet);
}

TEST(MediaRetransmissionBuffer, TouchesTheStorageItsAgeNeedsNotItsCapacity) {
    // 500 kbit/s of 1 000-byte packets (about 62 a second) for 10 s, kept 2 s: one lap of the
    // storage is about 2 s of the stream, and everything younger than 2 s still answers.
    const auto start = RetransmissionBuffer::Clock::now();
    RetransmissionBuffer buffer(512, 2s);
    const std::vector<std::uint8_t> packet(1000, 5);
    const auto interval = 16ms;
    std::uint16_t seq = 0;
    auto now = start;
    for (; now < start + 10s; now += interval) buffer.store(seq++, packet, now);
    const std::size_t perPacket = 1024;  // 1 000 bytes, to the next cache line
    const std::size_t twoSeconds = (2s / interval + 2) * perPacket;
    EXPECT_LE(buffer.bytesTouched(), twoSeconds);
    EXPECT_LT(buffer.bytesTouched(), 512U * RetransmissionBuffer::kMaxPacketSize / 4);
    const auto last = static_cast<std::uint16_t>(seq - 1);
    const auto young = static_cast<std::uint16_t>(last - (1900ms / interval));
    for (std::uint16_t s = young; s != seq; ++s) {
        const auto found = buffer.find(s, now);
        ASSERT_TRUE(found) << "sequence number " << s;
        EXPECT_EQ(found->size(), packet.size());
    }
}

TEST(MediaRetransmissionBuffer, NeverReturnsBytesTheRingWroteOver) {
    // Four slots of storage: a small packet, three full-size ones, then a full-size one that
    // does not fit at the end starts over at the beginning, over the small one and the first
    // full-size one, whose slot (another sequence number's) still names it.
    const auto now = RetransmissionBuffer::Clock::now();
    RetransmissionBuffer buffer(4, 2s);
    const std::vector<std::uint8_t> small(64, 1);
    const std::vector<std::uint8_t> full(RetransmissionBuffer::kMaxPacketSize, 2);
    const std::vector<std::uint8_t> other(RetransmissionBuffer::kMaxPacketSize, 3);
    ASSERT_TRUE(buffer.store(0, small, now));
    ASSERT_TRUE(buffer.store(1, full, now));
    ASSERT_TRUE(buffer.store(2, full, now));
    ASSERT_TRUE(buffer.store(3, full, now));
    ASSERT_TRUE(buffer.store(4, other, now));
    EXPECT_FALSE(buffer.find(1, now)) << "written over by 4";
    const auto third = buffer.find(2, now);
    ASSERT_TRUE(third) << "beyond what 4 wrote over";
    EXPECT_EQ(std::vector<std::uint8_t>(third->begin(), third->end()), full);
    const auto fifth = buffer.find(4, now);
    ASSERT_TRUE(fifth);
    EXPECT_EQ(std::vector<std::uint8_t>(fifth->begin(), fifth->end()), other);
}

TEST(MediaForwardedPacketLog, KeepsTheFrontAndWhereTheRestIs) {
    const auto now = ForwardedPacketLog::Clock::now();
    ForwardedPacketLog log(100, 2s);
    EXPECT_EQ(log.capacity(), 128U);
    std::vector<std::uint8_t> packet(1000);
    std::iota(packet.begin(), packet.end(), std::uint8_t{0});
    // As a consumer sends it: the front it wrote, the rest where the publisher's packet has it.
    const std::span<const std::uint8_t> bytes(packet);
    ASSERT_TRUE(
        log.keep(65535, {bytes.first(60), bytes.subspan(60)}, 40, {2, 0xABCD, 77, 52}, now));
    const auto entry = log.forNack(65535, now + 10ms);
    ASSERT_TRUE(entry);
    EXPECT_EQ(std::vector<std::uint8_t>(entry->front.begin(), entry->front.end()),
              std::vector<std::uint8_t>(packet.begin(), packet.begin() + 40));
    EXPECT_EQ(entry->size, 1000U);
    EXPECT_EQ(entry->source.layer, 2U);
    EXPECT_EQ(entry->source.ssrc, 0xABCDU);
    EXPECT_EQ(entry->source.sequenceNumber, 77);
    EXPECT_EQ(entry->source.offset, 52U);
    EXPECT_FALSE(log.forNack(65534, now)) << "never kept";
    EXPECT_FALSE(log.forNack(127, now)) << "same slot, another sequence number";
}

TEST(MediaForwardedPacketLog, BoundedByCountAgeAndFrontSize) {
    const auto now = ForwardedPacketLog::Clock::now();
    ForwardedPacketLog log(4, 1s);
    const std::vector<std::uint8_t> packet(200, 7);
    const SplitRtpPacket whole{packet, {}};
    for (std::uint16_t seq = 10; seq < 16; ++seq) log.keep(seq, whole, 30, {}, now);
    EXPECT_FALSE(log.forNack(10, now)) << "overwritten by 14";
    EXPECT_TRUE(log.forNack(12, now));
    EXPECT_TRUE(log.forNack(15, now));
    log.keep(20, whole, 30, {}, now);
    EXPECT_FALSE(log.forNack(20, now + 1001ms)) << "older than the age bound";
    EXPECT_TRUE(log.keep(21, whole, ForwardedPacketLog::kMaxFrontSize, {}, now));
    EXPECT_FALSE(log.keep(25, whole, ForwardedPacketLog::kMaxFrontSize + 1, {}, now))
        << "a front larger than an entry holds";
    EXPECT_FALSE(log.forNack(21, now)) << "the refused packet's slot forgets the older one";
    const std::vector<std::uint8_t> small(10);
    EXPECT_FALSE(log.keep(22, {small, {}}, 11, {}, now)) << "a front longer than the packet";
    EXPECT_FALSE(
        log.keep(23, {std::span(packet).first(20), std::span(packet).subspan(20)}, 30, {}, now))
        << "a front longer than the piece the consumer wrote";
    EXPECT_EQ(ForwardedPacketLog(1'000'000, 1s).capacity(), ForwardedPacketLog::kMaxCapacity);
}

TEST(MediaForwardedPacketLog, ARepeatedNackWithinTheIntervalIsNotAnsweredTwice) {
    const auto now = ForwardedPacketLog::Clock::now();
    ForwardedPacketLog log(16, 2s);
    const std::vector<std::uint8_t> packet(50, 9);
    log.keep(3, {packet, {}}, 20, {}, now);
    EXPECT_TRUE(log.forNack(3, now, 100ms));
    EXPECT_FALSE(log.forNack(3, now + 50ms, 100ms));
    EXPECT_TRUE(log.forNack(3, now + 100ms, 100ms));
    log.keep(3, {packet, {}}, 20, {}, now + 200ms);  // kept anew (another packet in the slot)
    EXPECT_TRUE(log.forNack(3, now + 210ms, 100ms));
}

TEST(MediaForwardedPacketLog, GrowsToWhatItsAgeNeedsNotItsCapacity) {
    // A subscriber's log holds what the last 2 s of its stream need: a 500 kbit/s camera's 126
    // packets in 128 entries (16 KiB), not the 512 (64 KiB) a 2.5 Mbit/s one needs; a burst
    // grows it up to its capacity, and every packet young enough keeps its entry across growth.
    const auto start = ForwardedPacketLog::Clock::now();
    ForwardedPacketLog log(512, 2s);
    EXPECT_EQ(log.ringSize(), ForwardedPacketLog::kFirstRingSize);
    std::vector<std::uint8_t> packet(300);
    struct Kept {
        std::uint16_t sequenceNumber;
        ForwardedPacketLog::Clock::time_point at;
    };
    std::vector<Kept> kept;
    const auto keep = [&](ForwardedPacketLog::Clock::time_point at) {
        // Across the wrap of the sequence numbers; each packet's front its own.
        const auto sequenceNumber = static_cast<std::uint16_t>(65000 + kept.size());
        std::iota(packet.begin(), packet.begin() + 40, static_cast<std::uint8_t>(sequenceNumber));
        ASSERT_TRUE(log.keep(sequenceNumber,
                             {std::span(packet).first(40), std::span(packet).subspan(40)}, 40,
                             {0, 0x1234, sequenceNumber, 40}, at));
        kept.push_back({sequenceNumber, at});
    };
    const auto answered = [&](const Kept& p, ForwardedPacketLog::Clock::time_point now) {
        const auto entry = log.forNack(p.sequenceNumber, now);
        if (!entry) return false;
        std::vector<std::uint8_t> front(40);
        std::iota(front.begin(), front.end(), static_cast<std::uint8_t>(p.sequenceNumber));
        EXPECT_EQ(std::vector<std::uint8_t>(entry->front.begin(), entry->front.end()), front);
        EXPECT_EQ(entry->source.sequenceNumber, p.sequenceNumber);
        return true;
    };

    constexpr auto kGap = std::chrono::nanoseconds(1s) / 63;  // 63 packets a second
    for (int n = 0; n < 630; ++n) keep(start + n * kGap);
    EXPECT_EQ(log.ringSize(), 128U);
    auto now = kept.back().at;
    for (std::size_t n = 0; n < kept.size(); ++n)
        EXPECT_EQ(answered(kept[n], now), now - kept[n].at <= 2s) << "packet " << n;

    // 300 packets in 100 ms: the ring doubles twice; the 2 s before the burst stay answered.
    const auto before = kept.size();
    for (int n = 0; n < 300; ++n) keep(now + n * (100ms / 300));
    EXPECT_EQ(log.ringSize(), 512U);
    now = kept.back().at;
    for (std::size_t n = before - 100; n < kept.size(); ++n)
        EXPECT_TRUE(answered(kept[n], now)) << "packet " << n;

    // More than the capacity within 2 s: bounded, the oldest young packets written over.
    for (int n = 0; n < 600; ++n) keep(now + n * (100ms / 600));
    EXPECT_EQ(log.ringSize(), 512U);
    now = kept.back().at;
    EXPECT_TRUE(answered(kept[kept.size() - 512], now));
    EXPECT_FALSE(answered(kept[kept.size() - 513], now)) << "written over, though young";
}

TEST(MediaNackGenerator, NacksAGapAfterTheReorderDelay) {
    const auto now = NackGenerator::Clock::now();
    NackGenerator nack;
    EXPECT_EQ(nack.onPacket(100, now), NackGenerator::Result::ok);
    EXPECT_EQ(nack.onPacket(104, now), NackGenerator::Result::ok);
    EXPECT_EQ(nack.missingCount(), 3U);
    EXPECT_TRUE(nack.due(now + 5ms, 50ms).empty()) << "could still be reordering";
    nack.onPacket(102, now + 6ms);  // it was
    EXPECT_EQ(asVector(nack.due(now + 10ms, 50ms)), (std::vector<std::uint16_t>{101, 103}));
    EXPECT_TRUE(nack.due(now + 20ms, 50ms).empty()) << "next try one RTT later";
    EXPECT_EQ(asVector(nack.due(now + 60ms, 50ms)), (std::vector<std::uint16_t>{101, 103}));
    nack.onPacket(101, now + 70ms);  // retransmission arrived
    EXPECT_EQ(asVector(nack.due(now + 110ms, 50ms)), std::vector<std::uint16_t>{103});
    EXPECT_EQ(nack.recovered(), 2U);
}

TEST(MediaNackGenerator, GivesUpAfterMaxRetries) {
    const auto start = NackGenerator::Clock::now();
    NackGenerator::Limits limits;
    limits.maxRetries = 3;
    NackGenerator nack(limits);
    nack.onPacket(1, start);
    nack.onPacket(3, start);
    int sent = 0;
    for (int i = 1; i <= 10; ++i)
        sent += static_cast<int>(nack.due(start + i * 100ms, 20ms).size());
    EXPECT_EQ(sent, 3);
    EXPECT_EQ(nack.missingCount(), 0U);
    EXPECT_EQ(nack.givenUp(), 1U);
}

TEST(MediaNackGenerator, WrapAround) {
    const auto now = NackGenerator::Clock::now();
    NackGenerator nack;
    nack.onPacket(65533, now);
    nack.onPacket(2, now);
    EXPECT_EQ(asVector(nack.due(now + 10ms, 0ms)),
              (std::vector<std::uint16_t>{65534, 65535, 0, 1}));
}

TEST(MediaNackGenerator, HugeJumpsAskForAKeyFrameAndStayBounded) {
    const auto now = NackGenerator::Clock::now();
    NackGenerator nack;
    nack.onPacket(0, now);
    EXPECT_EQ(nack.onPacket(5000, now), NackGenerator::Result::keyFrameNeeded)
        << "a 4999-packet gap is beyond NACK";
    EXPECT_EQ(nack.missingCount(), 0U);
    // Many medium gaps: the list never exceeds its bound.
    std::uint16_t seq = 5000;
    int keyFrames = 0;
    for (int i = 0; i < 100; ++i) {
        seq = static_cast<std::uint16_t>(seq + 30);
        if (nack.onPacket(seq, now) == NackGenerator::Result::keyFrameNeeded) ++keyFrames;
        ASSERT_LE(nack.missingCount(), NackGenerator::Limits{}.maxListSize);
    }
    EXPECT_GE(keyFrames, 1) << "the list overflowed at least once";
    // A publisher that restarts its numbering far behind: reset, not 10000 late packets.
    nack.onPacket(20000, now);
    EXPECT_EQ(nack.onPacket(5, now), NackGenerator::Result::keyFrameNeeded);
    EXPECT_EQ(nack.onPacket(6, now), NackGenerator::Result::ok);
    EXPECT_EQ(nack.missingCount(), 0U);
}

TEST(MediaNackGenerator, ForgetsPacketsTooOldToBeWorthAskingFor) {
    const auto now = NackGenerator::Clock::now();
    NackGenerator::Limits limits;
    limits.maxPacketAge = 100;
    NackGenerator nack(limits);
    nack.onPacket(0, now);
    nack.onPacket(2, now);  // 1 missing
    for (std::uint16_t seq = 3; seq < 150; ++seq) nack.onPacket(seq, now);
    EXPECT_EQ(nack.missingCount(), 0U);
}

TEST(MediaKeyFrameRequestThrottle, AtMostOnePerSecondWithOneRetry) {
    const auto start = KeyFrameRequestThrottle::Clock::now();
    KeyFrameRequestThrottle throttle;
    EXPECT_TRUE(throttle.request(start)) << "subscriber joined: PLI now";
    EXPECT_FALSE(throttle.request(start + 100ms)) << "another subscriber joined";
    EXPECT_FALSE(throttle.request(start + 200ms));
    EXPECT_TRUE(throttle.retryPending());
    EXPECT_FALSE(throttle.poll(start + 999ms));
    EXPECT_TRUE(throttle.poll(start + 1s)) << "the deferred requests make one PLI";
    EXPECT_FALSE(throttle.poll(start + 3s)) << "and only one";

    EXPECT_TRUE(throttle.request(start + 3s));
    EXPECT_FALSE(throttle.request(start + 3500ms));
    throttle.onKeyFrame();  // arrived: nothing left to ask for
    EXPECT_FALSE(throttle.poll(start + 5s));
}
