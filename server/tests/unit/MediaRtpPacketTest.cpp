// RTP packets: parsing annotated byte arrays field by field, rewriting in place for a subscriber,
// rebuilding from fields, and refusing what does not fit.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "media/RtpPacket.hpp"

using namespace pulsemeet::media;

namespace {

// A VP8 packet as Chrome sends it, with three one-byte header extensions.
const std::vector<std::uint8_t> kVideoPacket = {
    0x90, 0x60, 0x12, 0x34,  // V=2 P=0 X=1 CC=0 | M=0 PT=96 | seq 0x1234
    0x00, 0x01, 0xe2, 0x40,  // timestamp 123456
    0xde, 0xad, 0xbe, 0xef,  // SSRC 0xdeadbeef
    0xbe, 0xde, 0x00, 0x03,  // one-byte extensions (0xBEDE), 3 words
    0x10, 0x30,              // id 1 (mid), 1 byte: "0"
    0x32, 0x12, 0x34, 0x56,  // id 3 (abs-send-time), 3 bytes
    0x51, 0x00, 0x2a,        // id 5 (transport-wide seq), 2 bytes: 42
    0x00, 0x00, 0x00,        // padding to 32 bits
    0x10, 0x02, 0x00, 0x9d,  // payload: VP8 descriptor and the start of a key frame
    0x01, 0x2a,              //
};

// An audio packet with two CSRCs, the marker bit, the two-byte extension form and RTP padding.
const std::vector<std::uint8_t> kPaddedPacket = {
    0xb2, 0xef, 0xff, 0xff,  // V=2 P=1 X=1 CC=2 | M=1 PT=111 | seq 65535
    0xff, 0xff, 0xff, 0xfe,  // timestamp 0xfffffffe
    0x00, 0x00, 0x00, 0x01,  // SSRC 1
    0x00, 0x00, 0x00, 0x02,  // CSRC 2
    0x00, 0x00, 0x00, 0x03,  // CSRC 3
    0x10, 0x00, 0x00, 0x02,  // two-byte extensions (0x1000), 2 words
    0x14, 0x03, 0xaa, 0xbb,  // id 20, 3 bytes: aa bb cc
    0xcc, 0x01, 0x00, 0x00,  // id 1, 0 bytes; then one padding byte
    0xf8, 0xff, 0xfe,        // payload (3 bytes)
    0x00, 0x00, 0x03,        // RTP padding: 3 bytes, count last
};

std::vector<std::uint8_t> bytesOf(std::span<const std::uint8_t> span) {
    return {span.begin(), span.end()};
}

}  // namespace

TEST(MediaRtpPacket, ParsesOneByteExtensionsFieldByField) {
    auto bytes = kVideoPacket;
    const auto packet = RtpPacket::parse(bytes);
    ASSERT_TRUE(packet);
    EXPECT_FALSE(packet->marker());
    EXPECT_EQ(packet->payloadType(), 96);
    EXPECT_EQ(packet->sequenceNumber(), 0x1234);
    EXPECT_EQ(packet->timestamp(), 123456U);
    EXPECT_EQ(packet->ssrc(), 0xdeadbeefU);
    EXPECT_EQ(packet->csrcCount(), 0U);
    EXPECT_EQ(packet->extensionForm(), RtpExtensionForm::oneByte);
    EXPECT_EQ(packet->extensionProfile(), 0xBEDE);
    EXPECT_EQ(bytesOf(*packet->extension(1)), std::vector<std::uint8_t>{0x30});
    EXPECT_EQ(bytesOf(*packet->extension(3)), (std::vector<std::uint8_t>{0x12, 0x34, 0x56}));
    EXPECT_EQ(bytesOf(*packet->extension(5)), (std::vector<std::uint8_t>{0x00, 0x2a}));
    EXPECT_FALSE(packet->extension(2));
    EXPECT_EQ(packet->headerSize(), 28U);
    EXPECT_EQ(bytesOf(packet->payload()),
              (std::vector<std::uint8_t>{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a}));
    EXPECT_EQ(packet->paddingSize(), 0U);
    std::vector<std::uint8_t> ids;
    EXPECT_EQ(packet->forEachExtension([&](const RtpExtensionElement& e) { ids.push_back(e.id); }),
              3U);
    EXPECT_EQ(ids, (std::vector<std::uint8_t>{1, 3, 5}));
}

TEST(MediaRtpPacket, ParsesCsrcsTwoByteExtensionsAndPadding) {
    auto bytes = kPaddedPacket;
    const auto packet = RtpPacket::parse(bytes);
    ASSERT_TRUE(packet);
    EXPECT_TRUE(packet->marker());
    EXPECT_EQ(packet->payloadType(), 111);
    EXPECT_EQ(packet->sequenceNumber(), 65535);
    EXPECT_EQ(packet->timestamp(), 0xfffffffeU);
    EXPECT_EQ(packet->csrcCount(), 2U);
    EXPECT_EQ(packet->csrc(0), 2U);
    EXPECT_EQ(packet->csrc(1), 3U);
    EXPECT_EQ(packet->extensionForm(), RtpExtensionForm::twoByte);
    EXPECT_EQ(bytesOf(*packet->extension(20)), (std::vector<std::uint8_t>{0xaa, 0xbb, 0xcc}));
    ASSERT_TRUE(packet->extension(1));
    EXPECT_TRUE(packet->extension(1)->empty()) << "two-byte form allows empty elements";
    EXPECT_EQ(packet->paddingSize(), 3U);
    EXPECT_EQ(bytesOf(packet->payload()), (std::vector<std::uint8_t>{0xf8, 0xff, 0xfe}));
}

TEST(MediaRtpPacket, RewritesForASubscriberInPlace) {
    auto bytes = kVideoPacket;
    auto packet = RtpPacket::parse(bytes);
    ASSERT_TRUE(packet);
    packet->setSsrc(0x01020304);
    packet->setSequenceNumber(7);
    packet->setTimestamp(0x0a0b0c0d);
    packet->setPayloadType(100);
    packet->setMarker(true);
    RtpExtensionIdMap map{};
    map[1] = 4;  // the subscriber's mid id
    map[3] = 2;  // its abs-send-time id
    // 5 (transport-wide seq) not negotiated by the subscriber: dropped
    packet->remapExtensionIds(map);
    const std::vector<std::uint8_t> expected = {
        0x90, 0xe4, 0x00, 0x07,  // M=1 PT=100, seq 7
        0x0a, 0x0b, 0x0c, 0x0d,  // timestamp
        0x01, 0x02, 0x03, 0x04,  // SSRC
        0xbe, 0xde, 0x00, 0x03,  // same extension block size
        0x40, 0x30,              // id 4, "0"
        0x22, 0x12, 0x34, 0x56,  // id 2, abs-send-time
        0x00, 0x00, 0x00,        // was id 5: now padding
        0x00, 0x00, 0x00,        //
        0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a,
    };
    EXPECT_EQ(bytes, expected);
    auto reparsed = RtpPacket::parse(bytes);
    ASSERT_TRUE(reparsed);
    EXPECT_FALSE(reparsed->extension(5));
    EXPECT_EQ(bytesOf(*reparsed->extension(2)), (std::vector<std::uint8_t>{0x12, 0x34, 0x56}));

    auto stamp = reparsed->mutableExtension(2);
    ASSERT_TRUE(stamp);
    (*stamp)[0] = 0x99;  // abs-send-time stamped at send
    EXPECT_EQ(bytes[19], 0x99);
}

TEST(MediaRtpPacket, OneByteFormCannotCarryIdsAbove14) {
    auto bytes = kVideoPacket;
    auto packet = RtpPacket::parse(bytes);
    RtpExtensionIdMap map{};
    map[1] = 1;
    map[3] = 15;  // reserved in the one-byte form
    map[5] = 200;
    packet->remapExtensionIds(map);
    const auto reparsed = RtpPacket::parse(bytes);
    EXPECT_EQ(reparsed->forEachExtension([](const RtpExtensionElement&) {}), 1U);
    EXPECT_TRUE(reparsed->extension(1));
}

TEST(MediaRtpPacket, WriterRebuildsTheAnnotatedPackets) {
    const std::array<std::uint8_t, 1> mid{0x30};
    const std::array<std::uint8_t, 3> absSendTime{0x12, 0x34, 0x56};
    const std::array<std::uint8_t, 2> transportSeq{0x00, 0x2a};
    const RtpExtensionElement oneByte[] = {{1, mid}, {3, absSendTime}, {5, transportSeq}};
    const std::array<std::uint8_t, 6> payload{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a};
    std::array<std::uint8_t, 1500> out{};
    const std::size_t size =
        writeRtpPacket(out, {false, 96, 0x1234, 123456, 0xdeadbeef, {}}, oneByte, payload);
    EXPECT_EQ(bytesOf(std::span(out).first(size)), kVideoPacket);

    const std::array<std::uint32_t, 2> csrcs{2, 3};
    const std::array<std::uint8_t, 3> wide{0xaa, 0xbb, 0xcc};
    const RtpExtensionElement twoByte[] = {{20, wide}, {1, {}}};
    const std::array<std::uint8_t, 3> audio{0xf8, 0xff, 0xfe};
    const std::size_t paddedSize =
        writeRtpPacket(out, {true, 111, 65535, 0xfffffffe, 1, csrcs}, twoByte, audio, 3);
    EXPECT_EQ(bytesOf(std::span(out).first(paddedSize)), kPaddedPacket);

    std::array<std::uint8_t, 20> small{};
    EXPECT_EQ(writeRtpPacket(small, {}, oneByte, payload), 0U) << "does not fit";
    EXPECT_EQ(writeRtpPacket(out, {false, 128, 0, 0, 0, {}}, {}, payload), 0U) << "PT > 127";
}

TEST(MediaRtpPacket, RefusesWhatDoesNotFit) {
    auto check = [](std::vector<std::uint8_t> bytes, const char* why) {
        EXPECT_FALSE(RtpPacket::parse(bytes)) << why;
    };
    check(std::vector<std::uint8_t>(kVideoPacket.begin(), kVideoPacket.begin() + 11), "short");
    auto version = kVideoPacket;
    version[0] = 0x50;
    check(version, "version 1");
    auto csrcs = kVideoPacket;
    csrcs[0] = 0x9f;  // 15 CSRCs = 60 bytes, more than the packet
    check(csrcs, "CSRCs past the end");
    auto extensionLength = kVideoPacket;
    extensionLength[15] = 0x10;  // 16 words
    check(extensionLength, "extension block past the end");
    auto element = kVideoPacket;
    element[22] = 0x5f;  // id 5 claims 16 bytes: past the block
    check(element, "extension element past its block");
    auto padding = kVideoPacket;
    padding[0] |= 0x20;
    padding.back() = 0;
    check(padding, "padding count 0");
    padding.back() = 7;  // more than the 6 payload bytes
    check(padding, "padding past the header");
    auto twoByte = kPaddedPacket;
    twoByte[25] = 0x07;  // id 20 claims 7 bytes: past the block
    check(twoByte, "two-byte element past its block");
}

TEST(MediaRtpPacket, UnknownExtensionProfileIsKeptButNotRead) {
    auto bytes = kVideoPacket;
    bytes[12] = 0x12;  // profile 0x12de: neither form
    auto packet = RtpPacket::parse(bytes);
    ASSERT_TRUE(packet);
    EXPECT_EQ(packet->extensionForm(), RtpExtensionForm::other);
    EXPECT_FALSE(packet->extension(1));
    RtpExtensionIdMap map{};
    packet->remapExtensionIds(map);
    bytes[12] = 0xbe;
    EXPECT_EQ(bytes, kVideoPacket) << "an unknown block is not touched";
}
