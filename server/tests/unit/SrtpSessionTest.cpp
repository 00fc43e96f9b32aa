// SrtpSession over libsrtp2: what one side protects the other side (same key) unprotects, for
// each profile we negotiate; tampering and replay are refused.
#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

#include "MediaTestClient.hpp"
#include "SrtpProtect.hpp"
#include "media/SrtpSession.hpp"

namespace pulsemeet::media {
namespace {

using mediatest::Bytes;
using mediatest::protect;

Bytes keyFor(SrtpProfile profile, std::uint8_t seed) {
    const auto [key, salt] = srtpKeyLengths(profile);
    Bytes bytes(key + salt);
    std::iota(bytes.begin(), bytes.end(), seed);
    return bytes;
}

Bytes rtpPacket(std::uint16_t sequence) {
    return mediatest::rtpPacket(sequence, 0x11223344, 100);
}

// A receiver report: V=2, PT=201, length 1 (8 bytes), sender SSRC.
Bytes rtcpPacket() {
    return {0x80, 0xc9, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef};
}

class SrtpSessionTest : public ::testing::TestWithParam<SrtpProfile> {
  protected:
    SrtpSession session(SrtpSession::Direction direction, std::uint8_t seed = 1) {
        auto made = SrtpSession::create(GetParam(), keyFor(GetParam(), seed), direction);
        EXPECT_TRUE(made.has_value());
        return std::move(*made);
    }
};

TEST_P(SrtpSessionTest, WhatOneSideProtectsThePeerUnprotects) {
    auto sender = session(SrtpSession::Direction::outbound);
    auto receiver = session(SrtpSession::Direction::inbound);
    for (std::uint16_t sequence = 1; sequence < 50; ++sequence) {
        const auto plain = rtpPacket(sequence);
        auto packet = protect(sender, plain);
        ASSERT_GT(packet.size(), plain.size());
        EXPECT_NE(Bytes(packet.begin() + 12, packet.begin() + 20),
                  Bytes(plain.begin() + 12, plain.begin() + 20));  // the payload is encrypted
        const auto result = receiver.unprotectRtp(packet);
        ASSERT_EQ(result.status, SrtpStatus::ok) << sequence;
        EXPECT_EQ(Bytes(packet.begin(), packet.begin() + result.length), plain);
    }
}

TEST_P(SrtpSessionTest, RtcpRoundTrips) {
    auto sender = session(SrtpSession::Direction::outbound);
    auto receiver = session(SrtpSession::Direction::inbound);
    auto packet = protect(sender, rtcpPacket(), true);
    const auto result = receiver.unprotectRtcp(packet);
    ASSERT_EQ(result.status, SrtpStatus::ok);
    EXPECT_EQ(Bytes(packet.begin(), packet.begin() + result.length), rtcpPacket());
}

TEST_P(SrtpSessionTest, OutOfPlaceProtectIsInPlaceProtect) {
    // Into another buffer (a send batch's slot), every profile: the bytes of an in-place protect,
    // which the peer unprotects, and the input untouched. A buffer without the room is refused.
    auto inPlace = session(SrtpSession::Direction::outbound);
    auto outOfPlace = session(SrtpSession::Direction::outbound);
    auto receiver = session(SrtpSession::Direction::inbound);
    for (std::uint16_t sequence = 1; sequence < 40; ++sequence) {
        const bool rtcp = sequence % 3 == 0;
        const auto plain = rtcp ? rtcpPacket() : rtpPacket(sequence);
        const auto expected = protect(inPlace, plain, rtcp);
        const std::span<const std::uint8_t> input(plain);
        Bytes out(plain.size() + SrtpSession::kMaxProtectOverhead);
        const auto result =
            rtcp ? outOfPlace.protectRtcp(input, out) : outOfPlace.protectRtp(input, out);
        ASSERT_EQ(result.status, SrtpStatus::ok) << sequence;
        out.resize(result.length);
        ASSERT_EQ(out, expected) << sequence;
        EXPECT_EQ(plain, rtcp ? rtcpPacket() : rtpPacket(sequence));
        const auto opened = rtcp ? receiver.unprotectRtcp(out) : receiver.unprotectRtp(out);
        ASSERT_EQ(opened.status, SrtpStatus::ok) << sequence;
        EXPECT_EQ(Bytes(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(opened.length)),
                  plain);
    }
    const auto plain = rtpPacket(100);
    Bytes tight(plain.size() + SrtpSession::kMaxProtectOverhead - 1);
    EXPECT_EQ(outOfPlace.protectRtp(std::span<const std::uint8_t>(plain), tight).status,
              SrtpStatus::bufferTooSmall);
}

TEST_P(SrtpSessionTest, APacketInTwoPiecesIsProtectedAsTheWhole) {
    // As a consumer forwards it (SplitRtpPacket.hpp): the header it wrote, then the payload where
    // the publisher's packet has it. Every split from the end of the header on gives the bytes
    // of protecting the whole; the pieces are only read.
    auto whole = session(SrtpSession::Direction::outbound);
    auto split = session(SrtpSession::Direction::outbound);
    auto receiver = session(SrtpSession::Direction::inbound);
    std::uint16_t sequence = 1;
    const auto plain = rtpPacket(0);
    for (std::size_t frontSize = 12; frontSize <= plain.size(); ++frontSize, ++sequence) {
        const auto packet = rtpPacket(sequence);
        const auto expected = protect(whole, packet);
        const std::span<const std::uint8_t> bytes(packet);
        Bytes out(packet.size() + SrtpSession::kMaxProtectOverhead);
        const auto result =
            split.protectRtp(SplitRtpPacket{bytes.first(frontSize), bytes.subspan(frontSize)}, out);
        ASSERT_EQ(result.status, SrtpStatus::ok) << frontSize;
        out.resize(result.length);
        ASSERT_EQ(out, expected) << "front of " << frontSize << " bytes";
        EXPECT_EQ(packet, rtpPacket(sequence));
        const auto opened = receiver.unprotectRtp(out);
        ASSERT_EQ(opened.status, SrtpStatus::ok) << frontSize;
    }
}

TEST_P(SrtpSessionTest, TamperedPacketIsRefused) {
    auto sender = session(SrtpSession::Direction::outbound);
    auto receiver = session(SrtpSession::Direction::inbound);
    auto packet = protect(sender, rtpPacket(1));
    packet[20] ^= 0x01;
    EXPECT_EQ(receiver.unprotectRtp(packet).status, SrtpStatus::authenticationFailed);
    auto rtcp = protect(sender, rtcpPacket(), true);
    rtcp[9] ^= 0x80;
    EXPECT_EQ(receiver.unprotectRtcp(rtcp).status, SrtpStatus::authenticationFailed);
}

TEST_P(SrtpSessionTest, WrongKeyIsRefused) {
    auto sender = session(SrtpSession::Direction::outbound, 1);
    auto stranger = session(SrtpSession::Direction::inbound, 2);
    auto packet = protect(sender, rtpPacket(1));
    EXPECT_EQ(stranger.unprotectRtp(packet).status, SrtpStatus::authenticationFailed);
}

TEST_P(SrtpSessionTest, ReplayIsRefused) {
    auto sender = session(SrtpSession::Direction::outbound);
    auto receiver = session(SrtpSession::Direction::inbound);
    const auto packet = protect(sender, rtpPacket(7));
    auto first = packet;
    ASSERT_EQ(receiver.unprotectRtp(first).status, SrtpStatus::ok);
    auto again = packet;
    EXPECT_EQ(receiver.unprotectRtp(again).status, SrtpStatus::replayed);
}

TEST_P(SrtpSessionTest, SenderMayProtectTheSameSequenceAgain) {
    // Retransmission on the original SSRC resends a sequence number (allow_repeat_tx).
    auto sender = session(SrtpSession::Direction::outbound);
    protect(sender, rtpPacket(3));
    protect(sender, rtpPacket(3));
}

TEST_P(SrtpSessionTest, SenderRefusesAnIndexOlderThanAReceiversWindow) {
    // As libsrtp's sender: a packet 1024 or more behind the newest protected on its SSRC would
    // be refused by every receiver's replay window, so it is not sent; one less behind is.
    auto sender = session(SrtpSession::Direction::outbound);
    const auto protectSequence = [&](std::uint16_t sequence) {
        auto packet = rtpPacket(sequence);
        const auto length = packet.size();
        packet.resize(length + SrtpSession::kMaxProtectOverhead);
        return sender.protectRtp(std::span<std::uint8_t>(packet), length).status;
    };
    ASSERT_EQ(protectSequence(5000), SrtpStatus::ok);
    EXPECT_EQ(protectSequence(5000 - 1024), SrtpStatus::replayed);
    EXPECT_EQ(protectSequence(5000 - 1023), SrtpStatus::ok);
    EXPECT_EQ(protectSequence(5001), SrtpStatus::ok);
    EXPECT_EQ(protectSequence(5001 - 1024), SrtpStatus::replayed);
}

TEST_P(SrtpSessionTest, ShortInputAndSmallBuffersAreRefused) {
    auto sender = session(SrtpSession::Direction::outbound);
    auto receiver = session(SrtpSession::Direction::inbound);
    const auto plain = rtpPacket(1);
    Bytes tight = plain;  // no room for the tag
    EXPECT_EQ(sender.protectRtp(tight, tight.size()).status, SrtpStatus::bufferTooSmall);
    Bytes tiny(5, 0x80);
    EXPECT_EQ(receiver.unprotectRtp(tiny).status, SrtpStatus::bufferTooSmall);
    Bytes headerOnly = {0x80, 0x60, 0, 1, 0, 0, 0, 1, 1, 2, 3, 4};
    EXPECT_NE(receiver.unprotectRtp(headerOnly).status, SrtpStatus::ok);
}

TEST_P(SrtpSessionTest, KeyOfTheWrongLengthIsRefused) {
    Bytes key = keyFor(GetParam(), 1);
    key.pop_back();
    EXPECT_FALSE(SrtpSession::create(GetParam(), key, SrtpSession::Direction::inbound));
}

INSTANTIATE_TEST_SUITE_P(Profiles, SrtpSessionTest,
                         ::testing::Values(SrtpProfile::aeadAes128Gcm, SrtpProfile::aeadAes256Gcm,
                                           SrtpProfile::aes128CmHmacSha1_80),
                         [](const auto& info) {
                             switch (info.param) {
                                 case SrtpProfile::aeadAes128Gcm:
                                     return std::string("AesGcm128");
                                 case SrtpProfile::aeadAes256Gcm:
                                     return std::string("AesGcm256");
                                 case SrtpProfile::aes128CmHmacSha1_80:
                                     return std::string("AesCm128HmacSha1_80");
                             }
                             return std::string("unknown");
                         });

}  // namespace
}  // namespace pulsemeet::media
