// The media path allocates nothing per forwarded packet once a stream is known (issue 19): a
// packet from a publisher, unprotected, handed by its Producer to its Consumers, rewritten, kept
// for NACKs and protected for each subscriber, is copies and arithmetic only. Counted with every
// allocation in the process (AllocationCounter), the C libraries' included.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "AllocationCounter.hpp"
#include "media/Consumer.hpp"
#include "media/ForwardedPacketLog.hpp"
#include "media/Producer.hpp"
#include "media/RetransmissionBuffer.hpp"
#include "media/RtpMapping.hpp"
#include "media/RtpPacket.hpp"
#include "media/SrtpSession.hpp"

namespace pulsemeet::media {
namespace {

using pulsemeet::testing::AllocationScope;
using Bytes = std::vector<std::uint8_t>;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kPublisherSsrc = 0x11111111;
constexpr std::size_t kPayload = 1100;

Bytes keyFor(SrtpProfile profile) {
    const auto [key, salt] = srtpKeyLengths(profile);
    Bytes bytes(key + salt);
    std::iota(bytes.begin(), bytes.end(), std::uint8_t{5});
    return bytes;
}

SdpCodec vp8(std::uint8_t payloadType) {
    SdpCodec codec;
    codec.payloadType = payloadType;
    codec.name = "VP8";
    codec.clockRate = 90000;
    return codec;
}

// A VP8 packet as a browser sends it, with mid and abs-send-time, written into `out`.
std::size_t publisherPacket(std::span<std::uint8_t> out, std::uint16_t sequence) {
    const std::uint8_t mid[] = {'0'};
    const std::uint8_t abs[] = {1, 2, 3};
    const RtpExtensionElement elements[] = {{4, mid}, {2, abs}};
    std::array<std::uint8_t, kPayload> payload{};
    payload[0] = 0x10;  // VP8 descriptor: start of partition
    return writeRtpPacket(out, {false, 96, sequence, 9000u + sequence * 3000u, kPublisherSsrc, {}},
                          elements, payload);
}

// A subscriber's transport as far as the packet goes: SRTP protect from the consumer's pieces
// into a datagram buffer (the send batch's slot in the server).
struct ProtectingSubscriber : Producer::Listener, Consumer::Listener {
    void onProducerRtcp(Producer&, std::span<const std::uint8_t>) override {}
    bool consumerReady(const Consumer&) const override { return true; }
    void onConsumerRtp(Consumer&, SplitRtpPacket packet) override {
        if (srtp.protectRtp(packet, buffer).status == SrtpStatus::ok) ++sent;
    }
    SrtpSession srtp =
        *SrtpSession::create(SrtpProfile::aeadAes128Gcm, keyFor(SrtpProfile::aeadAes128Gcm),
                             SrtpSession::Direction::outbound);
    std::array<std::uint8_t, 1500 + SrtpSession::kMaxProtectOverhead> buffer{};
    std::size_t sent = 0;
};

TEST(MediaPathAllocation, RetransmissionBufferStoresWithoutAllocating) {
    RetransmissionBuffer buffer(512, std::chrono::seconds(2));
    const Bytes packet(1200, 0xAB);
    const auto now = Clock::now();
    const AllocationScope scope;
    for (std::uint32_t n = 0; n < 3000; ++n)
        buffer.store(static_cast<std::uint16_t>(n), packet, now);  // the first pass too
    EXPECT_EQ(scope.count(), 0U);
    EXPECT_TRUE(buffer.find(2999, now));
}

TEST(MediaPathAllocation, ForwardedPacketLogKeepsAndAnswersWithoutAllocating) {
    ForwardedPacketLog log(512, std::chrono::seconds(2));
    const Bytes packet(1200, 0xCD);
    const auto now = Clock::now();
    const auto keep = [&](std::uint32_t n) {
        log.keep(static_cast<std::uint16_t>(n), {packet, {}}, 40, {0, kPublisherSsrc, 7, 40}, now);
    };
    {
        // The first lap grows the ring from its first size to the capacity: one allocation a
        // doubling, so at most four per subscriber and stream.
        const AllocationScope growing;
        for (std::uint32_t n = 0; n < 512; ++n) keep(n);
        EXPECT_EQ(log.ringSize(), 512U);
        EXPECT_EQ(growing.count(), 4U);
    }
    const AllocationScope scope;
    for (std::uint32_t n = 512; n < 3000; ++n) keep(n);
    EXPECT_TRUE(log.forNack(2999, now));
    EXPECT_EQ(scope.count(), 0U);
}

class SrtpAllocation : public ::testing::TestWithParam<SrtpProfile> {};

TEST_P(SrtpAllocation, ProtectAndUnprotectWithoutAllocating) {
    auto sender =
        *SrtpSession::create(GetParam(), keyFor(GetParam()), SrtpSession::Direction::outbound);
    auto receiver =
        *SrtpSession::create(GetParam(), keyFor(GetParam()), SrtpSession::Direction::inbound);
    std::array<std::uint8_t, 1500 + SrtpSession::kMaxProtectOverhead> buffer{};
    const auto roundTrip = [&](std::uint16_t sequence, bool rtcp) {
        const auto length = rtcp ? std::size_t{8} : publisherPacket(buffer, sequence);
        if (rtcp) buffer = {0x80, 0xc9, 0x00, 0x01, 0x11, 0x11, 0x11, 0x11};
        const auto sealed =
            rtcp ? sender.protectRtcp(buffer, length) : sender.protectRtp(buffer, length);
        ASSERT_EQ(sealed.status, SrtpStatus::ok);
        const auto packet = std::span(buffer).first(sealed.length);
        const auto plain = rtcp ? receiver.unprotectRtcp(packet) : receiver.unprotectRtp(packet);
        ASSERT_EQ(plain.status, SrtpStatus::ok);
    };
    roundTrip(1, false);  // the SSRC's first packets make its state
    roundTrip(1, true);
    const AllocationScope scope;
    for (std::uint32_t n = 2; n < 70000; n += 7)
        roundTrip(static_cast<std::uint16_t>(n), n % 5 == 0);
    EXPECT_EQ(scope.count(), 0U);
}

INSTANTIATE_TEST_SUITE_P(Gcm, SrtpAllocation,
                         ::testing::Values(SrtpProfile::aeadAes128Gcm, SrtpProfile::aeadAes256Gcm),
                         [](const auto& info) {
                             return std::string(info.param == SrtpProfile::aeadAes128Gcm
                                                    ? "AesGcm128"
                                                    : "AesGcm256");
                         });

TEST(MediaPathAllocation, ForwardingToSubscribersDoesNotAllocate) {
    SfuStats stats;
    ProtectingSubscriber publisherSide;
    Producer::Parameters p;
    p.mid = "0";
    p.kind = "video";
    p.ssrc = kPublisherSsrc;
    p.codecs = {vp8(96)};
    p.extmaps = {{4, "urn:ietf:params:rtp-hdrext:sdes:mid"},
                 {2, "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"}};
    Producer producer(p, publisherSide, stats);
    std::vector<std::unique_ptr<ProtectingSubscriber>> subscribers;
    std::vector<std::unique_ptr<Consumer>> consumers;
    for (std::uint32_t i = 0; i < 5; ++i) {
        subscribers.push_back(std::make_unique<ProtectingSubscriber>());
        Consumer::Parameters c;
        c.mid = std::to_string(i + 1);
        c.ssrc = 0x30000000 + i;
        c.payloadTypes = mapPayloadTypes(producer.parameters().codecs, std::vector{vp8(100)});
        c.extensions =
            mapExtensions(producer.parameters().extmaps, std::vector<SdpExtmap>(p.extmaps));
        consumers.push_back(std::make_unique<Consumer>(producer, c, *subscribers.back(), stats));
    }
    auto inbound =
        *SrtpSession::create(SrtpProfile::aeadAes128Gcm, keyFor(SrtpProfile::aeadAes128Gcm),
                             SrtpSession::Direction::inbound);
    auto& publisherSrtp = publisherSide.srtp;  // the browser's sender, same key
    std::array<std::uint8_t, 1500 + SrtpSession::kMaxProtectOverhead> datagram{};
    auto now = Clock::now();
    const auto publish = [&](std::uint16_t sequence) {
        const auto sealed = publisherSrtp.protectRtp(datagram, publisherPacket(datagram, sequence));
        ASSERT_EQ(sealed.status, SrtpStatus::ok);
        const auto plain = inbound.unprotectRtp(std::span(datagram).first(sealed.length));
        ASSERT_EQ(plain.status, SrtpStatus::ok);
        auto packet = RtpPacket::parse(std::span(datagram).first(plain.length));
        ASSERT_TRUE(packet);
        const auto media = producer.receive(*packet, now);
        ASSERT_TRUE(media);
        for (auto* consumer : producer.consumers()) consumer->forward(*media, now);
        now += std::chrono::milliseconds(16);
    };
    publish(0);  // each stream's first packet makes its SRTP state
    {
        // The first 2 s grow each subscriber's log to what 2 s of the stream take: 125 packets,
        // so from 32 entries to 128, two allocations per subscriber; none after.
        const AllocationScope warming;
        for (std::uint32_t n = 1; n < 200; ++n) publish(static_cast<std::uint16_t>(n));
        EXPECT_EQ(warming.count(), 2U * consumers.size());
    }
    const AllocationScope scope;
    for (std::uint32_t n = 200; n < 3200; ++n) publish(static_cast<std::uint16_t>(n));
    EXPECT_EQ(scope.count(), 0U);
    for (const auto& subscriber : subscribers) EXPECT_EQ(subscriber->sent, 3200U);
}

}  // namespace
}  // namespace pulsemeet::media
