// Transport-wide congestion control feedback (RTPFB FMT 15): what the media server tells a
// publisher about when each of its numbered packets arrived, decoded here field by field as the
// draft lays them out (draft-holmer-rmcat-transport-wide-cc-extensions-01, section 3.1).
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "media/TransportCcFeedback.hpp"

using namespace pulsemeet::media;
using namespace std::chrono_literals;

namespace {

using Clock = TransportCcFeedback::Clock;

struct Decoded {
    bool padded = false;
    std::uint8_t format = 0;
    std::uint8_t packetType = 0;
    std::size_t lengthWords = 0;
    std::uint32_t senderSsrc = 0;
    std::uint32_t mediaSsrc = 0;
    std::uint16_t base = 0;
    std::uint16_t count = 0;
    std::uint32_t reference = 0;
    std::uint8_t feedbackCount = 0;
    std::vector<int> symbols;          // per packet: 0 not received, 1 small, 2 large delta
    std::vector<std::int32_t> deltas;  // in 250 us, per received packet
};

std::uint32_t read32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

Decoded decode(std::span<const std::uint8_t> bytes) {
    Decoded d;
    d.padded = (bytes[0] & 0x20) != 0;
    d.format = bytes[0] & 0x1F;
    d.packetType = bytes[1];
    d.lengthWords = std::size_t{bytes[2]} << 8 | bytes[3];
    d.senderSsrc = read32(&bytes[4]);
    d.mediaSsrc = read32(&bytes[8]);
    d.base = static_cast<std::uint16_t>(bytes[12] << 8 | bytes[13]);
    d.count = static_cast<std::uint16_t>(bytes[14] << 8 | bytes[15]);
    d.reference = std::uint32_t{bytes[16]} << 16 | std::uint32_t{bytes[17]} << 8 | bytes[18];
    d.feedbackCount = bytes[19];
    std::size_t at = 20;
    while (d.symbols.size() < d.count) {
        const int word = bytes[at] << 8 | bytes[at + 1];
        at += 2;
        EXPECT_EQ(word & 0xC000, 0xC000) << "two-bit status vector chunks";
        for (int i = 6; i >= 0 && d.symbols.size() < d.count; --i)
            d.symbols.push_back((word >> (2 * i)) & 3);
    }
    for (const int symbol : d.symbols) {
        if (symbol == 1) {
            d.deltas.push_back(bytes[at++]);
        } else if (symbol == 2) {
            d.deltas.push_back(static_cast<std::int16_t>(bytes[at] << 8 | bytes[at + 1]));
            at += 2;
        }
    }
    const std::size_t padding = d.padded ? bytes[bytes.size() - 1] : 0;
    EXPECT_EQ(at + padding, bytes.size()) << "deltas, then the padding, end the packet";
    return d;
}

// A time whose microseconds since the clock's epoch are a multiple of 64 ms plus `extraUs`.
Clock::time_point at64(std::int64_t extraUs) {
    return Clock::time_point(std::chrono::microseconds(64000LL * 1000 + extraUs));
}

}  // namespace

TEST(TransportCcFeedbackTest, ReportsArrivalsLossesAndDeltasFieldByField) {
    TransportCcFeedback feedback;
    const auto t0 = at64(1000);  // 1 ms after a 64 ms mark: first delta 4 x 250 us
    feedback.onPacket(65534, t0);
    feedback.onPacket(65535, t0 + 2ms);
    // 0 is lost
    feedback.onPacket(1, t0 + 90ms);  // 88 ms after the one before: a large delta
    EXPECT_TRUE(feedback.due(t0 + 100ms));

    std::array<std::uint8_t, 200> buffer{};
    const auto size = feedback.write(buffer, 0x11111111, 0x22222222, t0 + 100ms);
    ASSERT_GT(size, 0u);
    EXPECT_EQ(size % 4, 0u);
    const auto d = decode(std::span<const std::uint8_t>(buffer).first(size));
    EXPECT_EQ(d.format, 15);
    EXPECT_EQ(d.packetType, 205);
    EXPECT_EQ((d.lengthWords + 1) * 4, size);
    EXPECT_EQ(d.senderSsrc, 0x11111111u);
    EXPECT_EQ(d.mediaSsrc, 0x22222222u);
    EXPECT_EQ(d.base, 65534) << "numbers wrap: 65534, 65535, 0, 1";
    EXPECT_EQ(d.count, 4);
    EXPECT_EQ(d.reference, 1000u & 0xFFFFFF);
    EXPECT_EQ(d.feedbackCount, 0);
    EXPECT_EQ(d.symbols, (std::vector<int>{1, 1, 0, 2}));
    EXPECT_EQ(d.deltas, (std::vector<std::int32_t>{4, 8, 352}));
    EXPECT_FALSE(feedback.due(t0 + 150ms)) << "everything reported";
}

TEST(TransportCcFeedbackTest, TheNextFeedbackContinuesTheNumberingAndCountsItself) {
    TransportCcFeedback feedback;
    const auto t0 = at64(0);
    for (std::uint16_t i = 0; i < 10; ++i) feedback.onPacket(i, t0 + i * 1ms);
    std::array<std::uint8_t, 200> buffer{};
    ASSERT_GT(feedback.write(buffer, 1, 2, t0 + 10ms), 0u);
    EXPECT_FALSE(feedback.due(t0 + 50ms));
    feedback.onPacket(5, t0 + 60ms);  // a late duplicate of a reported one: ignored
    EXPECT_FALSE(feedback.due(t0 + 200ms));
    feedback.onPacket(12, t0 + 120ms);  // 10 and 11 lost
    EXPECT_FALSE(feedback.due(t0 + 100ms)) << "not sooner than the interval";
    EXPECT_TRUE(feedback.due(t0 + 120ms));
    const auto size = feedback.write(buffer, 1, 2, t0 + 120ms);
    const auto d = decode(std::span<const std::uint8_t>(buffer).first(size));
    EXPECT_EQ(d.base, 10) << "the losses after the last report are reported";
    EXPECT_EQ(d.count, 3);
    EXPECT_EQ(d.symbols, (std::vector<int>{0, 0, 1}));
    EXPECT_EQ(d.feedbackCount, 1);
}

TEST(TransportCcFeedbackTest, ALongBurstGoesOutInSeveralPackets) {
    TransportCcFeedback feedback;
    const auto t0 = at64(0);
    const std::size_t total = TransportCcFeedback::kMaxPacketsPerFeedback + 20;
    for (std::size_t i = 0; i < total; ++i)
        feedback.onPacket(static_cast<std::uint16_t>(i), t0 + std::chrono::microseconds(100 * i));
    std::array<std::uint8_t, 1200> buffer{};
    auto size = feedback.write(buffer, 1, 2, t0 + 100ms);
    ASSERT_GT(size, 0u);
    EXPECT_EQ(decode(std::span<const std::uint8_t>(buffer).first(size)).count,
              TransportCcFeedback::kMaxPacketsPerFeedback);
    size = feedback.write(buffer, 1, 2, t0 + 200ms);
    const auto rest = decode(std::span<const std::uint8_t>(buffer).first(size));
    EXPECT_EQ(rest.base, TransportCcFeedback::kMaxPacketsPerFeedback);
    EXPECT_EQ(rest.count, 20);
}

TEST(TransportCcFeedbackTest, NothingToReportWritesNothing) {
    TransportCcFeedback feedback;
    std::array<std::uint8_t, 64> buffer{};
    EXPECT_FALSE(feedback.due(at64(0)));
    EXPECT_EQ(feedback.write(buffer, 1, 2, at64(0)), 0u);
    feedback.onPacket(7, at64(0));
    std::array<std::uint8_t, 8> tiny{};
    EXPECT_EQ(feedback.write(tiny, 1, 2, at64(0)), 0u) << "too small a buffer";
}
