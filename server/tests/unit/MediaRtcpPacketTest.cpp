// RTCP compound packets: annotated byte arrays parsed field by field, rebuilt with RtcpWriter
// from the parsed fields and compared byte for byte; malformed input refused.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "media/RtcpPacket.hpp"

using namespace pulsemeet::media;

namespace {

// What a publisher sends: SR with one report block, then SDES with its CNAME.
const std::vector<std::uint8_t> kSenderCompound = {
    0x81, 0xc8, 0x00, 0x0c,  // V=2 P=0 RC=1 | PT=200 (SR) | length 12 words
    0x11, 0x22, 0x33, 0x44,  // sender SSRC
    0xe8, 0x9f, 0x6c, 0x1a,  // NTP seconds
    0x80, 0x00, 0x00, 0x00,  // NTP fraction (.5)
    0x00, 0x01, 0x86, 0xa0,  // RTP timestamp 100000
    0x00, 0x00, 0x01, 0xf4,  // packet count 500
    0x00, 0x01, 0xe8, 0x48,  // octet count 125000
    0x55, 0x66, 0x77, 0x88,  // report block: source SSRC
    0x19, 0xff, 0xff, 0xfe,  // fraction lost 25/256 | cumulative lost -2 (duplicates)
    0x00, 0x01, 0x00, 0x10,  // extended highest sequence: cycle 1, seq 16
    0x00, 0x00, 0x00, 0x2a,  // jitter 42
    0x6c, 0x1a, 0x80, 0x00,  // last SR
    0x00, 0x00, 0x10, 0x00,  // delay since last SR
    0x81, 0xca, 0x00, 0x04,  // V=2 SC=1 | PT=202 (SDES) | length 4 words
    0x11, 0x22, 0x33, 0x44,  // chunk SSRC
    0x01, 0x08, 0x61, 0x62,  // CNAME, 8 bytes: "ab
    0x63, 0x64, 0x31, 0x32,  // cd12
    0x33, 0x34, 0x00, 0x00,  // 34", end of items, padding
};

// What a subscriber sends: RR, NACK, PLI, FIR, REMB, BYE, and an XR the server does not read.
const std::vector<std::uint8_t> kFeedbackCompound = {
    0x80, 0xc9, 0x00, 0x01,  // V=2 RC=0 | PT=201 (RR) | length 1
    0x0a, 0x0b, 0x0c, 0x0d,  // reporter SSRC
    0x81, 0xcd, 0x00, 0x04,  // FMT=1 | PT=205 (RTPFB: generic NACK) | length 4
    0x0a, 0x0b, 0x0c, 0x0d,  // sender SSRC
    0x55, 0x66, 0x77, 0x88,  // media SSRC
    0x03, 0xe8, 0x00, 0x05,  // PID 1000, BLP 0b101: 1001 and 1003 lost too
    0xff, 0xff, 0x00, 0x00,  // PID 65535
    0x81, 0xce, 0x00, 0x02,  // FMT=1 | PT=206 (PSFB: PLI) | length 2
    0x0a, 0x0b, 0x0c, 0x0d,  // sender SSRC
    0x55, 0x66, 0x77, 0x88,  // media SSRC
    0x84, 0xce, 0x00, 0x04,  // FMT=4 | PT=206 (FIR) | length 4
    0x0a, 0x0b, 0x0c, 0x0d,  // sender SSRC
    0x00, 0x00, 0x00, 0x00,  // media SSRC: unused, 0
    0x55, 0x66, 0x77, 0x88,  // FCI: SSRC
    0x07, 0x00, 0x00, 0x00,  // command sequence number 7, reserved
    0x8f, 0xce, 0x00, 0x05,  // FMT=15 | PT=206 (AFB: REMB) | length 5
    0x0a, 0x0b, 0x0c, 0x0d,  // sender SSRC
    0x00, 0x00, 0x00, 0x00,  // media SSRC: unused, 0
    0x52, 0x45, 0x4d, 0x42,  // "REMB"
    0x01, 0x0b, 0xd0, 0x90,  // 1 SSRC | exponent 2, mantissa 250000: 1 Mbit/s
    0x55, 0x66, 0x77, 0x88,  // SSRC
    0x81, 0xcb, 0x00, 0x03,  // SC=1 | PT=203 (BYE) | length 3
    0x0a, 0x0b, 0x0c, 0x0d,  // SSRC
    0x04, 0x67, 0x6f, 0x6e,  // reason length 4: "gon
    0x65, 0x00, 0x00, 0x00,  // e", padding
    0x80, 0xcf, 0x00, 0x02,  // PT=207 (XR) | length 2: not interpreted, passed on as is
    0x0a, 0x0b, 0x0c, 0x0d,  //
    0x01, 0x02, 0x03, 0x04,  //
};

std::vector<std::uint8_t> bytesOf(std::span<const std::uint8_t> span) {
    return {span.begin(), span.end()};
}

}  // namespace

TEST(MediaRtcpPacket, SenderReportAndSdesFieldByFieldThenRebuilt) {
    const auto compound = RtcpCompound::parse(kSenderCompound);
    ASSERT_TRUE(compound);
    std::array<std::uint8_t, 1500> out{};
    RtcpWriter writer(out);
    int seen = 0;
    compound->forEach([&](const RtcpPacketView& packet) {
        ++seen;
        if (const auto sr = SenderReportView::from(packet)) {
            EXPECT_EQ(sr->ssrc(), 0x11223344U);
            const SenderInfo info = sr->senderInfo();
            EXPECT_EQ(info.ntpTimestamp, 0xe89f6c1a80000000ULL);
            EXPECT_EQ(info.rtpTimestamp, 100000U);
            EXPECT_EQ(info.packetCount, 500U);
            EXPECT_EQ(info.octetCount, 125000U);
            ASSERT_EQ(sr->reportCount(), 1U);
            const ReportBlock block = sr->reportBlock(0);
            EXPECT_EQ(block.ssrc, 0x55667788U);
            EXPECT_EQ(block.fractionLost, 25);
            EXPECT_EQ(block.cumulativeLost, -2);
            EXPECT_EQ(block.extendedHighestSequence, 0x00010010U);
            EXPECT_EQ(block.jitter, 42U);
            EXPECT_EQ(block.lastSenderReport, 0x6c1a8000U);
            EXPECT_EQ(block.delaySinceLastSenderReport, 0x1000U);
            writer.senderReport(sr->ssrc(), info, std::array{block});
        } else if (const auto sdes = SdesView::from(packet)) {
            EXPECT_EQ(sdes->chunkCount(), 1U);
            EXPECT_EQ(sdes->cname(0x11223344), "abcd1234");
            EXPECT_FALSE(sdes->cname(0x55667788));
            writer.sdesCname(0x11223344, *sdes->cname(0x11223344));
        } else {
            ADD_FAILURE() << "unexpected packet type " << int{packet.packetType()};
        }
    });
    EXPECT_EQ(seen, 2);
    ASSERT_TRUE(writer.ok());
    EXPECT_EQ(bytesOf(writer.bytes()), kSenderCompound);
}

TEST(MediaRtcpPacket, FeedbackFieldByFieldThenRebuilt) {
    const auto compound = RtcpCompound::parse(kFeedbackCompound);
    ASSERT_TRUE(compound);
    std::array<std::uint8_t, 1500> out{};
    RtcpWriter writer(out);
    std::vector<std::uint8_t> types;
    compound->forEach([&](const RtcpPacketView& packet) {
        types.push_back(packet.packetType());
        if (const auto rr = ReceiverReportView::from(packet)) {
            EXPECT_EQ(rr->ssrc(), 0x0a0b0c0dU);
            EXPECT_EQ(rr->reportCount(), 0U);
            writer.receiverReport(rr->ssrc(), {});
        } else if (const auto nack = NackView::from(packet)) {
            EXPECT_EQ(nack->senderSsrc(), 0x0a0b0c0dU);
            EXPECT_EQ(nack->mediaSsrc(), 0x55667788U);
            ASSERT_EQ(nack->itemCount(), 2U);
            std::vector<std::uint16_t> lost;
            std::vector<NackItem> items;
            for (std::size_t i = 0; i < nack->itemCount(); ++i) {
                items.push_back(nack->item(i));
                nack->item(i).forEachLost([&](std::uint16_t seq) { lost.push_back(seq); });
            }
            EXPECT_EQ(lost, (std::vector<std::uint16_t>{1000, 1001, 1003, 65535}));
            writer.nack(nack->senderSsrc(), nack->mediaSsrc(), items);
        } else if (const auto pli = PliView::from(packet)) {
            EXPECT_EQ(pli->senderSsrc(), 0x0a0b0c0dU);
            EXPECT_EQ(pli->mediaSsrc(), 0x55667788U);
            writer.pli(pli->senderSsrc(), pli->mediaSsrc());
        } else if (const auto fir = FirView::from(packet)) {
            ASSERT_EQ(fir->entryCount(), 1U);
            EXPECT_EQ(fir->entry(0), (FirEntry{0x55667788, 7}));
            writer.fir(fir->senderSsrc(), std::array{fir->entry(0)});
        } else if (const auto remb = RembView::from(packet)) {
            EXPECT_EQ(remb->bitrate(), 1'000'000U);
            ASSERT_EQ(remb->ssrcCount(), 1U);
            EXPECT_EQ(remb->ssrc(0), 0x55667788U);
            writer.remb(remb->senderSsrc(), remb->bitrate(), std::array{remb->ssrc(0)});
        } else if (const auto bye = ByeView::from(packet)) {
            ASSERT_EQ(bye->ssrcCount(), 1U);
            EXPECT_EQ(bye->ssrc(0), 0x0a0b0c0dU);
            EXPECT_EQ(bye->reason(), "gone");
            writer.bye(std::array{bye->ssrc(0)}, bye->reason());
        } else {
            EXPECT_EQ(packet.packetType(), rtcp::kExtendedReport);
            writer.raw(packet);
        }
    });
    EXPECT_EQ(types, (std::vector<std::uint8_t>{201, 205, 206, 206, 206, 203, 207}));
    ASSERT_TRUE(writer.ok());
    EXPECT_EQ(bytesOf(writer.bytes()), kFeedbackCompound);
}

TEST(MediaRtcpPacket, PaddingOnlyOnTheLastPacket) {
    const std::vector<std::uint8_t> padded = {
        0xa0, 0xc9, 0x00, 0x02,  // V=2 P=1 RC=0 | RR | length 2
        0x0a, 0x0b, 0x0c, 0x0d,  // reporter SSRC
        0x00, 0x00, 0x00, 0x04,  // 4 bytes of padding, count last
    };
    const auto compound = RtcpCompound::parse(padded);
    ASSERT_TRUE(compound);
    compound->forEach([](const RtcpPacketView& packet) {
        EXPECT_EQ(packet.body().size(), 4U);
        EXPECT_TRUE(ReceiverReportView::from(packet));
    });
    auto notLast = padded;
    notLast.insert(notLast.end(), kSenderCompound.begin(), kSenderCompound.end());
    EXPECT_FALSE(RtcpCompound::parse(notLast));
    auto zeroCount = padded;
    zeroCount.back() = 0;
    EXPECT_FALSE(RtcpCompound::parse(zeroCount));
    auto tooMuch = padded;
    tooMuch.back() = 9;
    EXPECT_FALSE(RtcpCompound::parse(tooMuch));
}

TEST(MediaRtcpPacket, MalformedCompoundsAreRefused) {
    EXPECT_FALSE(RtcpCompound::parse({}));
    auto pastEnd = kSenderCompound;
    pastEnd[3] = 0x0d;  // SR one word longer than it is: SDES header read as its tail
    EXPECT_FALSE(RtcpCompound::parse(pastEnd));
    auto truncated = kSenderCompound;
    truncated.pop_back();
    EXPECT_FALSE(RtcpCompound::parse(truncated));
    auto version = kFeedbackCompound;
    version[8] = 0x41;  // second packet version 1
    EXPECT_FALSE(RtcpCompound::parse(version));
    const std::vector<std::uint8_t> shortHeader = {0x80, 0xc9, 0x00};
    EXPECT_FALSE(RtcpCompound::parse(shortHeader));
}

TEST(MediaRtcpPacket, TypedViewsRefuseBodiesTooShortForTheirCounts) {
    auto typedView = [](const std::vector<std::uint8_t>& bytes, auto from) {
        const auto compound = RtcpCompound::parse(bytes);
        EXPECT_TRUE(compound);
        bool parsed = false;
        compound->forEach([&](const RtcpPacketView& packet) { parsed = from(packet).has_value(); });
        return parsed;
    };
    // SR claiming 2 report blocks with room for one.
    auto sr = std::vector<std::uint8_t>(kSenderCompound.begin(), kSenderCompound.begin() + 52);
    sr[0] = 0x82;
    EXPECT_FALSE(typedView(sr, [](auto& p) { return SenderReportView::from(p); }));
    // NACK without any item.
    const std::vector<std::uint8_t> emptyNack = {0x81, 0xcd, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2};
    EXPECT_FALSE(typedView(emptyNack, [](auto& p) { return NackView::from(p); }));
    // SDES whose item runs past the chunk.
    auto sdes = std::vector<std::uint8_t>(kSenderCompound.begin() + 52, kSenderCompound.end());
    sdes[9] = 0x20;
    EXPECT_FALSE(typedView(sdes, [](auto& p) { return SdesView::from(p); }));
    // SDES with no terminating null item.
    sdes = std::vector<std::uint8_t>(kSenderCompound.begin() + 52, kSenderCompound.end());
    sdes[9] = 0x0a;  // CNAME of 10 bytes fills the body exactly: no end
    EXPECT_FALSE(typedView(sdes, [](auto& p) { return SdesView::from(p); }));
    // BYE whose reason length runs past the packet.
    auto bye =
        std::vector<std::uint8_t>(kFeedbackCompound.begin() + 84, kFeedbackCompound.begin() + 100);
    bye[8] = 0x09;
    EXPECT_FALSE(typedView(bye, [](auto& p) { return ByeView::from(p); }));
    // REMB announcing more SSRCs than it carries, and one without the "REMB" identifier.
    auto remb =
        std::vector<std::uint8_t>(kFeedbackCompound.begin() + 60, kFeedbackCompound.begin() + 84);
    remb[16] = 0x02;
    EXPECT_FALSE(typedView(remb, [](auto& p) { return RembView::from(p); }));
    remb[16] = 0x01;
    remb[12] = 'X';
    EXPECT_FALSE(typedView(remb, [](auto& p) { return RembView::from(p); }));
}

TEST(MediaRtcpPacket, RembBitrateEncodingAndSaturation) {
    std::array<std::uint8_t, 64> out{};
    for (const std::uint64_t bitrate :
         {0ULL, 1ULL, 262143ULL, 262144ULL, 2'500'000ULL, 123'456'789'012ULL}) {
        RtcpWriter writer(out);
        writer.remb(1, bitrate, {});
        const auto compound = RtcpCompound::parse(writer.bytes());
        ASSERT_TRUE(compound);
        compound->forEach([&](const RtcpPacketView& packet) {
            const auto remb = RembView::from(packet);
            ASSERT_TRUE(remb);
            EXPECT_LE(remb->bitrate(), bitrate);
            EXPECT_GE(remb->bitrate(), bitrate - bitrate / 100000) << "18-bit mantissa precision";
        });
    }
    const std::vector<std::uint8_t> huge = {0x8f, 0xce, 0x00, 0x04, 0,    0,    0,
                                            1,    0,    0,    0,    0,    0x52, 0x45,
                                            0x4d, 0x42, 0x00, 0xff, 0xff, 0xff};
    RtcpCompound::parse(huge)->forEach([](const RtcpPacketView& packet) {
        EXPECT_EQ(RembView::from(packet)->bitrate(), UINT64_MAX) << "exponent 63: saturates";
    });
}

TEST(MediaRtcpPacket, PackNackItems) {
    const std::vector<std::uint16_t> lost = {1000, 1001, 1003, 1016, 1017, 65535, 0, 20};
    std::array<NackItem, 8> items{};
    const std::size_t count = packNackItems(lost, items);
    ASSERT_EQ(count, 4U);
    EXPECT_EQ(items[0], (NackItem{1000, 0x8005}));  // 1001, 1003, 1016
    EXPECT_EQ(items[1], (NackItem{1017, 0}));
    EXPECT_EQ(items[2], (NackItem{65535, 0x0001}));  // 0 follows 65535
    EXPECT_EQ(items[3], (NackItem{20, 0}));
    std::array<NackItem, 2> few{};
    EXPECT_EQ(packNackItems(lost, few), 2U) << "what does not fit is left out";
}

TEST(MediaRtcpPacket, WriterFailsInsteadOfOverflowing) {
    std::array<std::uint8_t, 10> small{};
    RtcpWriter writer(small);
    writer.pli(1, 2);
    EXPECT_FALSE(writer.ok());
    EXPECT_TRUE(writer.bytes().empty());
    std::array<std::uint8_t, 1500> out{};
    const std::array<ReportBlock, 32> tooMany{};
    EXPECT_FALSE(RtcpWriter(out).receiverReport(1, tooMany).ok());
    EXPECT_FALSE(RtcpWriter(out).nack(1, 2, {}).ok());
}
