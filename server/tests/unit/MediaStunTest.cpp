// STUN (RFC 5389) against the RFC 5769 test vectors, byte for byte, and the parser's refusals.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "media/Crc32.hpp"
#include "media/PacketClassifier.hpp"
#include "media/StunMessage.hpp"

using namespace pulsemeet::media;

namespace {

// RFC 5769 §2.1: sample request, short-term credential "VOkJxbRl1RmTxUk/WvJxBt".
const std::vector<std::uint8_t> kSampleRequest = {
    0x00, 0x01, 0x00, 0x58,  // Binding request, length 88
    0x21, 0x12, 0xa4, 0x42,  // magic cookie
    0xb7, 0xe7, 0xa7, 0x01,  // }
    0xbc, 0x34, 0xd6, 0x86,  // } transaction id
    0xfa, 0x87, 0xdf, 0xae,  // }
    0x80, 0x22, 0x00, 0x10,  // SOFTWARE, 16 bytes
    0x53, 0x54, 0x55, 0x4e,  // "STUN"
    0x20, 0x74, 0x65, 0x73,  // " tes"
    0x74, 0x20, 0x63, 0x6c,  // "t cl"
    0x69, 0x65, 0x6e, 0x74,  // "ient"
    0x00, 0x24, 0x00, 0x04,  // PRIORITY
    0x6e, 0x00, 0x01, 0xff,  // 0x6e0001ff
    0x80, 0x29, 0x00, 0x08,  // ICE-CONTROLLED
    0x93, 0x2f, 0xf9, 0xb1,  // } tie breaker
    0x51, 0x26, 0x3b, 0x36,  // }
    0x00, 0x06, 0x00, 0x09,  // USERNAME, 9 bytes
    0x65, 0x76, 0x74, 0x6a,  // "evtj"
    0x3a, 0x68, 0x36, 0x76,  // ":h6v"
    0x59, 0x20, 0x20, 0x20,  // "Y" + 3 padding bytes (spaces)
    0x00, 0x08, 0x00, 0x14,  // MESSAGE-INTEGRITY
    0x9a, 0xea, 0xa7, 0x0c,  // }
    0xbf, 0xd8, 0xcb, 0x56,  // }
    0x78, 0x1e, 0xf2, 0xb5,  // } HMAC-SHA1
    0xb2, 0xd3, 0xf2, 0x49,  // }
    0xc1, 0xb5, 0x71, 0xa2,  // }
    0x80, 0x28, 0x00, 0x04,  // FINGERPRINT
    0xe5, 0x7a, 0x3b, 0xcf,  // CRC-32 ^ 0x5354554e
};

// RFC 5769 §2.2: sample IPv4 response, 192.0.2.1:32853.
const std::vector<std::uint8_t> kSampleIpv4Response = {
    0x01, 0x01, 0x00, 0x3c,  // Binding success response, length 60
    0x21, 0x12, 0xa4, 0x42,  // magic cookie
    0xb7, 0xe7, 0xa7, 0x01,  // }
    0xbc, 0x34, 0xd6, 0x86,  // } transaction id
    0xfa, 0x87, 0xdf, 0xae,  // }
    0x80, 0x22, 0x00, 0x0b,  // SOFTWARE, 11 bytes
    0x74, 0x65, 0x73, 0x74,  // "test"
    0x20, 0x76, 0x65, 0x63,  // " vec"
    0x74, 0x6f, 0x72, 0x20,  // "tor" + 1 padding byte (space)
    0x00, 0x20, 0x00, 0x08,  // XOR-MAPPED-ADDRESS
    0x00, 0x01, 0xa1, 0x47,  // IPv4, port 32853 ^ 0x2112
    0xe1, 0x12, 0xa6, 0x43,  // 192.0.2.1 ^ magic cookie
    0x00, 0x08, 0x00, 0x14,  // MESSAGE-INTEGRITY
    0x2b, 0x91, 0xf5, 0x99,  // }
    0xfd, 0x9e, 0x90, 0xc3,  // }
    0x8c, 0x74, 0x89, 0xf9,  // } HMAC-SHA1
    0x2a, 0xf9, 0xba, 0x53,  // }
    0xf0, 0x6b, 0xe7, 0xd7,  // }
    0x80, 0x28, 0x00, 0x04,  // FINGERPRINT
    0xc0, 0x7d, 0x4c, 0x96,  // CRC-32 ^ 0x5354554e
};

// RFC 5769 §2.3: sample IPv6 response, [2001:db8:1234:5678:11:2233:4455:6677]:32853.
const std::vector<std::uint8_t> kSampleIpv6Response = {
    0x01, 0x01, 0x00, 0x48,  // Binding success response, length 72
    0x21, 0x12, 0xa4, 0x42,  // magic cookie
    0xb7, 0xe7, 0xa7, 0x01,  // }
    0xbc, 0x34, 0xd6, 0x86,  // } transaction id
    0xfa, 0x87, 0xdf, 0xae,  // }
    0x80, 0x22, 0x00, 0x0b,  // SOFTWARE, 11 bytes
    0x74, 0x65, 0x73, 0x74,  // "test"
    0x20, 0x76, 0x65, 0x63,  // " vec"
    0x74, 0x6f, 0x72, 0x20,  // "tor" + padding
    0x00, 0x20, 0x00, 0x14,  // XOR-MAPPED-ADDRESS, 20 bytes
    0x00, 0x02, 0xa1, 0x47,  // IPv6, port 32853 ^ 0x2112
    0x01, 0x13, 0xa9, 0xfa,  // }
    0xa5, 0xd3, 0xf1, 0x79,  // } address ^ (magic cookie + transaction id)
    0xbc, 0x25, 0xf4, 0xb5,  // }
    0xbe, 0xd2, 0xb9, 0xd9,  // }
    0x00, 0x08, 0x00, 0x14,  // MESSAGE-INTEGRITY
    0xa3, 0x82, 0x95, 0x4e,  // }
    0x4b, 0xe6, 0x7b, 0xf1,  // }
    0x17, 0x84, 0xc9, 0x7c,  // } HMAC-SHA1
    0x82, 0x92, 0xc2, 0x75,  // }
    0xbf, 0xe3, 0xed, 0x41,  // }
    0x80, 0x28, 0x00, 0x04,  // FINGERPRINT
    0xc8, 0xfb, 0x0b, 0x4c,  // CRC-32 ^ 0x5354554e
};

constexpr std::string_view kPassword = "VOkJxbRl1RmTxUk/WvJxBt";
constexpr stun::TransactionId kTransactionId = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                                                0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

const Endpoint kIpv4Mapped = Endpoint::v4({192, 0, 2, 1}, 32853);
const Endpoint kIpv6Mapped = Endpoint::v6({0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78, 0x00,
                                           0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77},
                                          32853);

std::span<const std::uint8_t> bytesOf(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace

TEST(MediaCrc32, KnownCheckValue) {
    // The standard CRC-32 check value: CRC of the ASCII digits "123456789".
    EXPECT_EQ(crc32(bytesOf("123456789")), 0xCBF43926U);
    EXPECT_EQ(crc32({}), 0U);
}

TEST(MediaStun, Rfc5769SampleRequestParsesAndAuthenticates) {
    const auto message = StunMessage::parse(kSampleRequest);
    ASSERT_TRUE(message);
    EXPECT_EQ(message->messageClass(), StunClass::request);
    EXPECT_EQ(message->method(), stun::kMethodBinding);
    EXPECT_EQ(message->transactionId(), kTransactionId);
    EXPECT_EQ(message->software(), "STUN test client");
    EXPECT_EQ(message->priority(), 0x6e0001ffU);
    EXPECT_EQ(message->iceControlled(), 0x932ff9b151263b36ULL);
    EXPECT_FALSE(message->iceControlling());
    EXPECT_FALSE(message->useCandidate());
    EXPECT_EQ(message->username(), "evtj:h6vY");
    EXPECT_TRUE(message->fingerprintValid());
    EXPECT_TRUE(message->messageIntegrityValid(kPassword));
    EXPECT_FALSE(message->messageIntegrityValid("VOkJxbRl1RmTxUk/WvJxBT")) << "one letter off";
}

TEST(MediaStun, Rfc5769SampleRequestRebuiltByteForByte) {
    std::array<std::uint8_t, 256> buffer{};
    StunMessageWriter writer(buffer, StunClass::request, stun::kMethodBinding, kTransactionId,
                             0x20);
    writer.addString(stun::kAttrSoftware, "STUN test client")
        .addU32(stun::kAttrPriority, 0x6e0001ff)
        .addU64(stun::kAttrIceControlled, 0x932ff9b151263b36ULL)
        .addString(stun::kAttrUsername, "evtj:h6vY")
        .addMessageIntegrity(kPassword)
        .addFingerprint();
    ASSERT_TRUE(writer.ok());
    const auto bytes = writer.bytes();
    EXPECT_EQ(std::vector<std::uint8_t>(bytes.begin(), bytes.end()), kSampleRequest);
}

TEST(MediaStun, Rfc5769Ipv4ResponseParsesAndRebuilds) {
    const auto message = StunMessage::parse(kSampleIpv4Response);
    ASSERT_TRUE(message);
    EXPECT_EQ(message->messageClass(), StunClass::success);
    EXPECT_EQ(message->software(), "test vector");
    EXPECT_EQ(message->xorMappedAddress(), kIpv4Mapped);
    EXPECT_TRUE(message->fingerprintValid());
    EXPECT_TRUE(message->messageIntegrityValid(kPassword));

    std::array<std::uint8_t, 256> buffer{};
    StunMessageWriter writer(buffer, StunClass::success, stun::kMethodBinding, kTransactionId,
                             0x20);
    writer.addString(stun::kAttrSoftware, "test vector")
        .addXorMappedAddress(kIpv4Mapped)
        .addMessageIntegrity(kPassword)
        .addFingerprint();
    const auto bytes = writer.bytes();
    EXPECT_EQ(std::vector<std::uint8_t>(bytes.begin(), bytes.end()), kSampleIpv4Response);
}

TEST(MediaStun, Rfc5769Ipv6ResponseParsesAndRebuilds) {
    const auto message = StunMessage::parse(kSampleIpv6Response);
    ASSERT_TRUE(message);
    EXPECT_EQ(message->xorMappedAddress(), kIpv6Mapped);
    EXPECT_TRUE(message->fingerprintValid());
    EXPECT_TRUE(message->messageIntegrityValid(kPassword));

    std::array<std::uint8_t, 256> buffer{};
    StunMessageWriter writer(buffer, StunClass::success, stun::kMethodBinding, kTransactionId,
                             0x20);
    writer.addString(stun::kAttrSoftware, "test vector")
        .addXorMappedAddress(kIpv6Mapped)
        .addMessageIntegrity(kPassword)
        .addFingerprint();
    const auto bytes = writer.bytes();
    EXPECT_EQ(std::vector<std::uint8_t>(bytes.begin(), bytes.end()), kSampleIpv6Response);
}

TEST(MediaStun, AnyFlippedBitFailsFingerprintOrIntegrity) {
    // Every single-bit change in the sample request is caught by one of the two checks (or the
    // parser), so neither check ignores any byte it covers.
    for (std::size_t byte = 0; byte < kSampleRequest.size(); ++byte) {
        for (int bit = 0; bit < 8; ++bit) {
            auto copy = kSampleRequest;
            copy[byte] ^= static_cast<std::uint8_t>(1U << bit);
            const auto message = StunMessage::parse(copy);
            if (!message) continue;
            EXPECT_FALSE(message->fingerprintValid() && message->messageIntegrityValid(kPassword))
                << "byte " << byte << " bit " << bit;
        }
    }
}

TEST(MediaStun, ErrorCodeRoundTrip) {
    std::array<std::uint8_t, 128> buffer{};
    StunMessageWriter writer(buffer, StunClass::error, stun::kMethodBinding, kTransactionId);
    writer.addErrorCode(487, "Role Conflict").addFingerprint();
    const auto message = StunMessage::parse(writer.bytes());
    ASSERT_TRUE(message);
    EXPECT_EQ(message->messageClass(), StunClass::error);
    EXPECT_EQ(message->method(), stun::kMethodBinding);
    EXPECT_EQ(message->errorCode(), 487);
    EXPECT_EQ(message->errorReason(), "Role Conflict");
    EXPECT_TRUE(message->fingerprintValid());
    EXPECT_FALSE(message->hasMessageIntegrity());
    // Error response type: class bits 0b11 around method 1 -> 0x0111.
    EXPECT_EQ(buffer[0], 0x01);
    EXPECT_EQ(buffer[1], 0x11);
}

TEST(MediaStun, RefusesMalformedMessages) {
    auto truncated = kSampleRequest;
    truncated.pop_back();
    EXPECT_FALSE(StunMessage::parse(truncated)) << "length field disagrees with the datagram";

    auto badCookie = kSampleRequest;
    badCookie[4] = 0x22;
    EXPECT_FALSE(StunMessage::parse(badCookie));

    auto topBits = kSampleRequest;
    topBits[0] = 0x40;
    EXPECT_FALSE(StunMessage::parse(topBits));

    auto overlong = kSampleRequest;
    overlong[23] = 0x50;  // SOFTWARE claims 80 bytes, past the end
    EXPECT_FALSE(StunMessage::parse(overlong));

    auto badPriority = kSampleRequest;
    badPriority[43] = 0x08;  // PRIORITY of 8 bytes: wrong size for its type
    EXPECT_FALSE(StunMessage::parse(badPriority));

    // An attribute after FINGERPRINT.
    auto afterFingerprint = kSampleRequest;
    for (std::uint8_t b : {0x80, 0x22, 0x00, 0x00}) afterFingerprint.push_back(b);
    afterFingerprint[3] = static_cast<std::uint8_t>(afterFingerprint[3] + 4);
    EXPECT_FALSE(StunMessage::parse(afterFingerprint));

    std::vector<std::uint8_t> huge(stun::kMaxMessageSize + 4, 0);
    huge[2] = static_cast<std::uint8_t>((huge.size() - 20) >> 8);
    huge[3] = static_cast<std::uint8_t>(huge.size() - 20);
    huge[4] = 0x21, huge[5] = 0x12, huge[6] = 0xa4, huge[7] = 0x42;
    EXPECT_FALSE(StunMessage::parse(huge)) << "over the size bound";
    EXPECT_FALSE(StunMessage::parse({}));
}

TEST(MediaStun, AttributesAfterIntegrityAreIgnored) {
    // RFC 5389 §15.4: only FINGERPRINT may follow MESSAGE-INTEGRITY; anything else is ignored, so
    // a man in the middle cannot append a USE-CANDIDATE to an authenticated request.
    std::array<std::uint8_t, 256> buffer{};
    StunMessageWriter writer(buffer, StunClass::request, stun::kMethodBinding, kTransactionId);
    writer.addString(stun::kAttrUsername, "a:b")
        .addMessageIntegrity("pw")
        .addFlag(stun::kAttrUseCandidate);
    const auto message = StunMessage::parse(writer.bytes());
    ASSERT_TRUE(message);
    EXPECT_FALSE(message->useCandidate());
    EXPECT_TRUE(message->messageIntegrityValid("pw"));
}

TEST(MediaStun, WriterFailsInsteadOfOverflowing) {
    std::array<std::uint8_t, 32> small{};
    StunMessageWriter writer(small, StunClass::success, stun::kMethodBinding, kTransactionId);
    writer.addString(stun::kAttrSoftware, "far too long for a 32-byte buffer");
    EXPECT_FALSE(writer.ok());
    EXPECT_TRUE(writer.bytes().empty());
}

TEST(MediaPacketClassifier, Rfc7983FirstByteRanges) {
    EXPECT_EQ(classifyPacket(kSampleRequest), PacketKind::stun);
    auto noCookie = kSampleRequest;
    noCookie[5] = 0;
    EXPECT_EQ(classifyPacket(noCookie), PacketKind::unknown) << "STUN needs the magic cookie";
    EXPECT_EQ(classifyPacket(std::span(kSampleRequest).first(19)), PacketKind::unknown);

    std::vector<std::uint8_t> dtls(13, 0);
    dtls[0] = 22;  // handshake record
    EXPECT_EQ(classifyPacket(dtls), PacketKind::dtls);
    dtls[0] = 63;
    EXPECT_EQ(classifyPacket(dtls), PacketKind::dtls);
    dtls[0] = 64;
    EXPECT_EQ(classifyPacket(dtls), PacketKind::unknown) << "64..127: TURN channels, not ours";
    EXPECT_EQ(classifyPacket(std::span(dtls).first(12)), PacketKind::unknown);

    std::vector<std::uint8_t> rtp(12, 0);
    rtp[0] = 0x80;
    rtp[1] = 96;
    EXPECT_EQ(classifyPacket(rtp), PacketKind::rtp);
    rtp[1] = 0x80 | 96;  // marker bit set, still RTP (224)
    EXPECT_EQ(classifyPacket(rtp), PacketKind::rtp);
    for (int type : {192, 200, 201, 205, 206, 223}) {
        rtp[1] = static_cast<std::uint8_t>(type);
        EXPECT_EQ(classifyPacket(rtp), PacketKind::rtcp) << type;
    }
    rtp[1] = 191;
    EXPECT_EQ(classifyPacket(rtp), PacketKind::rtp);
    rtp[0] = 0xC0;  // first byte 192: outside every range
    EXPECT_EQ(classifyPacket(rtp), PacketKind::unknown);
    EXPECT_EQ(classifyPacket({}), PacketKind::unknown);
    EXPECT_EQ(packetKindName(PacketKind::rtcp), "rtcp");
}
