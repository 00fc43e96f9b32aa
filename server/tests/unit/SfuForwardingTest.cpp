// The forwarding pieces without sockets: a Producer (one publisher stream) hands packets to a
// Consumer (one subscriber's copy), which rewrites them for the subscriber's section; the
// listeners here capture what would go out on the transports.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "media/Consumer.hpp"
#include "media/KeyFrame.hpp"
#include "media/Producer.hpp"
#include "media/RtcpPacket.hpp"
#include "media/RtpMapping.hpp"
#include "media/RtpPacket.hpp"

using namespace pulsemeet::media;
using namespace std::chrono_literals;

namespace {

using Bytes = std::vector<std::uint8_t>;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kPublisherSsrc = 0x11111111;
constexpr std::uint32_t kPublisherRtxSsrc = 0x22222222;
constexpr std::uint32_t kSubscriberSsrc = 0x33333333;
constexpr std::uint32_t kSubscriberRtxSsrc = 0x44444444;

constexpr const char* kMidUri = "urn:ietf:params:rtp-hdrext:sdes:mid";
constexpr const char* kAbsSendTimeUri =
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
constexpr const char* kTransportCcUri =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
constexpr const char* kOrientationUri = "urn:3gpp:video-orientation";

SdpCodec codec(std::uint8_t pt, std::string name, std::string fmtp = {}) {
    SdpCodec c;
    c.payloadType = pt;
    c.name = std::move(name);
    c.clockRate = 90000;
    c.fmtp = std::move(fmtp);
    return c;
}

// The publisher numbers VP8 96 (rtx 97) and H.264 102; the subscriber VP8 100 (rtx 101).
std::vector<SdpCodec> publisherCodecs() {
    return {codec(96, "VP8"), codec(102, "H264", "packetization-mode=1;profile-level-id=42e01f"),
            codec(97, "rtx", "apt=96")};
}
std::vector<SdpCodec> subscriberCodecs() {
    return {codec(100, "VP8"), codec(101, "rtx", "apt=100")};
}
std::vector<SdpExtmap> publisherExtmaps() {
    return {{4, kMidUri}, {2, kAbsSendTimeUri}, {3, kTransportCcUri}, {13, kOrientationUri}};
}
std::vector<SdpExtmap> subscriberExtmaps() {
    return {{1, kMidUri}, {5, kAbsSendTimeUri}, {9, kOrientationUri}};
}

struct Capture : Producer::Listener, Consumer::Listener {
    void onProducerRtcp(Producer&, std::span<const std::uint8_t> packet) override {
        rtcp.emplace_back(packet.begin(), packet.end());
    }
    bool consumerReady(const Consumer&) const override { return ready; }
    void onConsumerRtp(Consumer&, SplitRtpPacket packet) override {
        auto& bytes = rtp.emplace_back(packet.front.begin(), packet.front.end());
        bytes.insert(bytes.end(), packet.rest.begin(), packet.rest.end());
    }
    bool ready = true;
    std::vector<Bytes> rtp;
    std::vector<Bytes> rtcp;
};

// A VP8 packet as Chrome sends it: mid "0", abs-send-time, transport-cc, video orientation.
Bytes publisherPacket(std::uint16_t sequence, std::size_t payloadSize = 20,
                      std::uint32_t ssrc = kPublisherSsrc, std::uint8_t pt = 96) {
    const std::uint8_t mid[] = {'0'};
    const std::uint8_t abs[] = {1, 2, 3};
    const std::uint8_t twcc[] = {0, 7};
    const std::uint8_t orientation[] = {1};
    const RtpExtensionElement elements[] = {{4, mid}, {2, abs}, {3, twcc}, {13, orientation}};
    Bytes payload(payloadSize);
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(i + 1);
    Bytes out(1500);
    const auto size = writeRtpPacket(out, {false, pt, sequence, 9000, ssrc, {}}, elements, payload);
    out.resize(size);
    return out;
}

struct Rig {
    explicit Rig(unsigned dropPercent = 0, bool rtx = true) {
        Producer::Parameters p;
        p.mid = "0";
        p.kind = "video";
        p.ssrc = kPublisherSsrc;
        p.rtxSsrc = kPublisherRtxSsrc;
        p.codecs = publisherCodecs();
        p.extmaps = publisherExtmaps();
        p.rtcpSenderSsrc = 1;
        producer = std::make_unique<Producer>(p, publisher, stats);
        Consumer::Parameters c;
        c.mid = "7";
        c.ssrc = kSubscriberSsrc;
        if (rtx) c.rtxSsrc = kSubscriberRtxSsrc;
        c.payloadTypes = mapPayloadTypes(producer->parameters().codecs, subscriberCodecs());
        c.extensions = mapExtensions(producer->parameters().extmaps, subscriberExtmaps());
        c.firstSequenceNumber = 500;
        c.firstRtxSequenceNumber = 9000;
        c.testDropPercent = dropPercent;
        consumer = std::make_unique<Consumer>(*producer, c, subscriber, stats);
    }
    ~Rig() { consumer.reset(); }

    void publish(Bytes packet, Clock::time_point at) {
        auto parsed = RtpPacket::parse(packet);
        ASSERT_TRUE(parsed);
        const auto media = producer->receive(*parsed, at);
        if (!media) return;
        for (auto* c : producer->consumers()) c->forward(*media, at);
    }

    SfuStats stats;
    Capture publisher;
    Capture subscriber;
    std::unique_ptr<Producer> producer;
    std::unique_ptr<Consumer> consumer;
    Clock::time_point now = Clock::now();
};

std::string extensionText(RtpPacket& packet, std::uint8_t id) {
    const auto value = packet.extension(id);
    return value ? std::string(value->begin(), value->end()) : std::string("<none>");
}

}  // namespace

TEST(SfuRtpMapping, PayloadTypesByCodecAndExtensionsByUri) {
    const auto types = mapPayloadTypes(publisherCodecs(), subscriberCodecs());
    ASSERT_TRUE(types[96]);
    EXPECT_EQ(types[96]->payloadType, 100);
    EXPECT_EQ(types[96]->rtxPayloadType, 101);
    EXPECT_FALSE(types[102]) << "the subscriber has no H.264";
    EXPECT_FALSE(types[97]) << "rtx is not a media codec";

    const auto extensions = mapExtensions(publisherExtmaps(), subscriberExtmaps());
    EXPECT_EQ(extensions[4].id, 1);
    EXPECT_EQ(extensions[4].rewrite, ExtensionRewrite::mid);
    EXPECT_EQ(extensions[2].id, 5);
    EXPECT_EQ(extensions[2].rewrite, ExtensionRewrite::absSendTime);
    EXPECT_EQ(extensions[13].id, 9);
    EXPECT_EQ(extensions[13].rewrite, ExtensionRewrite::copy);
    EXPECT_EQ(extensions[3].rewrite, ExtensionRewrite::drop) << "not negotiated by the subscriber";
}

TEST(SfuRtpMapping, H264MatchesOnPacketizationModeAndProfile) {
    const auto baseline = codec(102, "H264", "packetization-mode=1;profile-level-id=42e01f");
    EXPECT_TRUE(
        sameCodec(baseline, codec(108, "H264", "profile-level-id=42E034;packetization-mode=1")));
    EXPECT_FALSE(
        sameCodec(baseline, codec(104, "H264", "packetization-mode=0;profile-level-id=42e01f")));
    EXPECT_FALSE(
        sameCodec(baseline, codec(112, "H264", "packetization-mode=1;profile-level-id=64001f")));
    const std::vector<SdpCodec> subscriber = {
        codec(35, "VP8"), codec(108, "H264", "packetization-mode=1;profile-level-id=42e01f")};
    const auto types = mapPayloadTypes(std::vector<SdpCodec>{baseline}, subscriber);
    ASSERT_TRUE(types[102]);
    EXPECT_EQ(types[102]->payloadType, 108);
}

TEST(SfuConsumer, RewritesSsrcSequencePayloadTypeAndExtensions) {
    Rig rig;
    rig.publish(publisherPacket(1000), rig.now);
    ASSERT_EQ(rig.subscriber.rtp.size(), 1U);
    auto out = RtpPacket::parse(rig.subscriber.rtp[0]);
    ASSERT_TRUE(out);
    EXPECT_EQ(out->ssrc(), kSubscriberSsrc);
    EXPECT_EQ(out->sequenceNumber(), 500);
    EXPECT_EQ(out->payloadType(), 100);
    EXPECT_EQ(out->timestamp(), 9000U);
    EXPECT_EQ(extensionText(*out, 1), "7") << "the subscriber's own mid";
    EXPECT_EQ(out->extension(9)->size(), 1U) << "orientation under the subscriber's id";
    EXPECT_EQ((*out->extension(9))[0], 1);
    EXPECT_TRUE(out->extension(5)) << "abs-send-time stamped";
    EXPECT_FALSE(out->extension(3)) << "transport-cc was not negotiated: dropped";
    EXPECT_FALSE(out->extension(4)) << "the publisher's ids are gone";
    EXPECT_EQ(out->payload().size(), 20U);
    EXPECT_EQ(out->payload()[0], 1);
}

TEST(SfuConsumer, DroppedPacketsLeaveNoGapButUpstreamLossDoes) {
    Rig rig;
    rig.publish(publisherPacket(1000), rig.now);
    rig.publish(publisherPacket(1001, 0), rig.now);  // padding only: not forwarded
    rig.publish(publisherPacket(1002, 20, kPublisherSsrc, 111), rig.now);  // no such codec
    rig.publish(publisherPacket(1003), rig.now);
    rig.publish(publisherPacket(1005), rig.now);  // 1004 lost upstream
    std::vector<std::uint16_t> sequences;
    for (auto& bytes : rig.subscriber.rtp)
        sequences.push_back(RtpPacket::parse(bytes)->sequenceNumber());
    EXPECT_EQ(sequences, (std::vector<std::uint16_t>{500, 501, 503}));
    EXPECT_EQ(rig.stats.unroutable, 1U);
}

TEST(SfuConsumer, NothingIsRewrittenBeforeTheSubscriberConnects) {
    Rig rig;
    rig.subscriber.ready = false;
    rig.publish(publisherPacket(1000), rig.now);
    rig.subscriber.ready = true;
    rig.publish(publisherPacket(1001), rig.now);
    ASSERT_EQ(rig.subscriber.rtp.size(), 1U);
    EXPECT_EQ(RtpPacket::parse(rig.subscriber.rtp[0])->sequenceNumber(), 500);
}

TEST(SfuConsumer, ANackIsAnsweredOnTheRtxStream) {
    Rig rig;
    for (std::uint16_t s = 1000; s < 1005; ++s) rig.publish(publisherPacket(s), rig.now);
    rig.subscriber.rtp.clear();
    rig.consumer->retransmit(502, rig.now + 5ms);
    ASSERT_EQ(rig.subscriber.rtp.size(), 1U);
    auto rtx = RtpPacket::parse(rig.subscriber.rtp[0]);
    ASSERT_TRUE(rtx);
    EXPECT_EQ(rtx->ssrc(), kSubscriberRtxSsrc);
    EXPECT_EQ(rtx->payloadType(), 101);
    EXPECT_EQ(rtx->sequenceNumber(), 9000);
    ASSERT_EQ(rtx->payload().size(), 22U);
    EXPECT_EQ(rtx->payload()[0] << 8 | rtx->payload()[1], 502) << "the original sequence number";
    EXPECT_EQ(rtx->payload()[2], 1);
    EXPECT_EQ(rig.stats.retransmissions, 1U);
    rig.consumer->retransmit(502, rig.now + 6ms);
    EXPECT_EQ(rig.subscriber.rtp.size(), 1U)
        << "a NACK repeated within 20 ms is not answered twice";
    rig.consumer->retransmit(600, rig.now + 6ms);
    EXPECT_EQ(rig.subscriber.rtp.size(), 1U) << "never sent";
}

TEST(SfuConsumer, WithoutRtxTheSamePacketIsSentAgain) {
    Rig rig(0, false);
    for (std::uint16_t s = 1000; s < 1003; ++s) rig.publish(publisherPacket(s), rig.now);
    const Bytes original = rig.subscriber.rtp[1];
    rig.consumer->retransmit(501, rig.now + 5ms);
    ASSERT_EQ(rig.subscriber.rtp.size(), 4U);
    EXPECT_EQ(rig.subscriber.rtp.back(), original);
}

TEST(SfuConsumer, TestDropPercentDropsAnExactShareThatNacksRepair) {
    Rig rig(10);
    for (std::uint16_t s = 0; s < 100; ++s)
        rig.publish(publisherPacket(static_cast<std::uint16_t>(2000 + s)), rig.now);
    EXPECT_EQ(rig.subscriber.rtp.size(), 90U);
    EXPECT_EQ(rig.stats.testDropped, 10U);
    std::vector<bool> seen(100);
    for (auto& bytes : rig.subscriber.rtp)
        seen[RtpPacket::parse(bytes)->sequenceNumber() - 500] = true;
    for (std::uint16_t i = 0; i < 100; ++i)
        if (!seen[i]) rig.consumer->retransmit(static_cast<std::uint16_t>(500 + i), rig.now + 5ms);
    EXPECT_EQ(rig.subscriber.rtp.size(), 100U) << "every dropped packet came back";
}

TEST(SfuProducer, DecodesRtxAndNacksLossesUpstream) {
    Rig rig;
    rig.publish(publisherPacket(10), rig.now);
    rig.publish(publisherPacket(11), rig.now);
    rig.publish(publisherPacket(13), rig.now);  // 12 lost
    rig.producer->tick(rig.now + 50ms);
    ASSERT_EQ(rig.publisher.rtcp.size(), 1U);
    const auto compound = RtcpCompound::parse(rig.publisher.rtcp[0]);
    ASSERT_TRUE(compound);
    std::vector<std::uint16_t> lost;
    compound->forEach([&](const RtcpPacketView& packet) {
        const auto nack = NackView::from(packet);
        ASSERT_TRUE(nack);
        EXPECT_EQ(nack->mediaSsrc(), kPublisherSsrc);
        nack->item(0).forEachLost([&](std::uint16_t s) { lost.push_back(s); });
    });
    EXPECT_EQ(lost, std::vector<std::uint16_t>{12});
    EXPECT_EQ(rig.stats.nacksSent, 1U);

    // The repair on the RTX stream: original sequence number first, PT 97 -> 96.
    Bytes inner = publisherPacket(0, 20);
    auto body = RtpPacket::parse(inner)->payload();
    Bytes rtxPayload = {0, 12};
    rtxPayload.insert(rtxPayload.end(), body.begin(), body.end());
    Bytes rtx(1500);
    rtx.resize(writeRtpPacket(rtx, {false, 97, 1, 9000, kPublisherRtxSsrc, {}}, {}, rtxPayload));
    rig.publish(rtx, rig.now + 60ms);
    auto repaired = RtpPacket::parse(rig.subscriber.rtp.back());
    EXPECT_EQ(repaired->payloadType(), 100);
    EXPECT_EQ(repaired->sequenceNumber(), 502) << "in its place in the subscriber's numbering";
    EXPECT_EQ(repaired->payload().size(), 20U);
    rig.producer->tick(rig.now + 500ms);
    EXPECT_EQ(rig.publisher.rtcp.size(), 1U) << "recovered: no more NACKs";

    // An empty RTX probe is ignored.
    Bytes probe(1500);
    probe.resize(writeRtpPacket(probe, {false, 97, 2, 9000, kPublisherRtxSsrc, {}}, {}, {}));
    const auto before = rig.subscriber.rtp.size();
    rig.publish(probe, rig.now + 70ms);
    EXPECT_EQ(rig.subscriber.rtp.size(), before);
}

TEST(SfuProducer, KeyFrameRequestsAreThrottledToOnePerSecond) {
    Rig rig;
    rig.consumer->requestKeyFrame(rig.now);
    rig.consumer->requestKeyFrame(rig.now + 100ms);
    EXPECT_EQ(rig.publisher.rtcp.size(), 1U);
    rig.producer->tick(rig.now + 500ms);
    EXPECT_EQ(rig.publisher.rtcp.size(), 1U);
    rig.producer->tick(rig.now + 1001ms);
    EXPECT_EQ(rig.publisher.rtcp.size(), 2U) << "the deferred request, once the second is over";
    EXPECT_EQ(rig.stats.plisSent, 2U);
    const auto compound = RtcpCompound::parse(rig.publisher.rtcp[0]);
    compound->forEach([](const RtcpPacketView& packet) {
        const auto pli = PliView::from(packet);
        ASSERT_TRUE(pli);
        EXPECT_EQ(pli->mediaSsrc(), kPublisherSsrc);
    });
}

// A new mapping's first picture: the key frame asked for when the consumer started reached the
// subscriber before it applied the answer, and was dropped. The subscriber's own first PLI is
// answered at once, not after the rest of the throttle's second; its later ones are throttled.
TEST(SfuConsumer, TheSubscribersFirstKeyFrameRequestPassesTheThrottle) {
    Rig rig;
    rig.consumer->requestKeyFrame(rig.now);  // the consumer starts
    EXPECT_EQ(rig.publisher.rtcp.size(), 1U);
    rig.consumer->onReceiverKeyFrameRequest(rig.now + 200ms);
    EXPECT_EQ(rig.publisher.rtcp.size(), 2U)
        << "the subscriber's first PLI waited for the throttle";
    rig.consumer->onReceiverKeyFrameRequest(rig.now + 400ms);
    rig.producer->tick(rig.now + 1100ms);
    EXPECT_EQ(rig.publisher.rtcp.size(), 2U) << "a second one is throttled, from the first's time";
    rig.producer->tick(rig.now + 1201ms);
    EXPECT_EQ(rig.publisher.rtcp.size(), 3U);
    EXPECT_EQ(rig.stats.plisSent, 3U);
}

// A single-stream publisher's REMB: held down only by a congested subscriber (its share of an
// estimate below what it is sent), by the lowest such share; otherwise the upstream cap, so that
// subscribers' estimates, which run only half again ahead of what they receive, do not keep the
// publisher where it is.
TEST(SfuProducer, OnlyACongestedSubscriberHoldsASingleStreamPublisherDown) {
    Rig rig;
    Consumer::Parameters c = rig.consumer->parameters();
    c.ssrc = kSubscriberSsrc + 1;
    Consumer second(*rig.producer, c, rig.subscriber, rig.stats);
    const auto now = rig.now;
    EXPECT_EQ(rig.producer->bitrateCap(now), std::nullopt);  // nobody told
    rig.consumer->setReceiverEstimate({400'000, false}, now);
    EXPECT_EQ(rig.producer->bitrateCap(now), Producer::kUpstreamCap);
    second.setReceiverEstimate({150'000, true}, now);
    EXPECT_EQ(rig.producer->bitrateCap(now), 150'000u);
    rig.consumer->setReceiverEstimate({100'000, true}, now);
    EXPECT_EQ(rig.producer->bitrateCap(now), 100'000u);
    second.setReceiverEstimate({900'000, false}, now);
    EXPECT_EQ(rig.producer->bitrateCap(now), 100'000u);
    // Estimates older than the freshness window say nothing.
    EXPECT_EQ(rig.producer->bitrateCap(now + Producer::kBitrateFreshness + 1s), std::nullopt);
}

TEST(SfuProducer, ReceiverReportCountsLoss) {
    Rig rig;
    for (std::uint16_t s : {100, 101, 103, 104}) rig.publish(publisherPacket(s), rig.now);
    const auto block = rig.producer->reportBlock(rig.now);
    ASSERT_TRUE(block);
    EXPECT_EQ(block->ssrc, kPublisherSsrc);
    EXPECT_EQ(block->extendedHighestSequence, 104U);
    EXPECT_EQ(block->cumulativeLost, 1);
    EXPECT_EQ(block->fractionLost, 256 / 5);
}

TEST(SfuKeyFrame, Vp8AndH264) {
    // VP8: S=1, PID 0, then a payload header with P=0 (key frame) or 1.
    EXPECT_TRUE(isKeyFrame("VP8", Bytes{0x10, 0x00}));
    EXPECT_FALSE(isKeyFrame("VP8", Bytes{0x10, 0x01}));
    EXPECT_FALSE(isKeyFrame("VP8", Bytes{0x00, 0x00})) << "not the start of a partition";
    // X, I with a 15-bit picture id, then the header.
    EXPECT_TRUE(isKeyFrame("VP8", Bytes{0x90, 0x80, 0x81, 0x23, 0x00}));
    EXPECT_TRUE(isKeyFrame("H264", Bytes{0x65}));                          // IDR
    EXPECT_FALSE(isKeyFrame("H264", Bytes{0x41}));                         // non-IDR slice
    EXPECT_TRUE(isKeyFrame("H264", Bytes{0x18, 0, 1, 0x67, 0, 1, 0x68}));  // STAP-A with SPS
    EXPECT_TRUE(isKeyFrame("H264", Bytes{0x7C, 0x85}));                    // FU-A start of IDR
    EXPECT_FALSE(isKeyFrame("H264", Bytes{0x7C, 0x05}));                   // FU-A middle
    EXPECT_FALSE(isKeyFrame("opus", Bytes{0x10, 0x00}));
}

// Last-N pauses a consumer and resumes it later (RoomForwarding): nothing goes out meanwhile, the
// resumed stream starts on a key frame the producer was asked for, and its sequence numbers
// continue without a gap the subscriber would NACK.
TEST(SfuConsumer, APausedConsumerSendsNothingAndResumesOnAKeyFrameWithoutAGap) {
    Rig rig;
    rig.publish(publisherPacket(1000), rig.now);
    ASSERT_EQ(rig.subscriber.rtp.size(), 1U);
    rig.consumer->setForwarding(false, rig.now);
    for (std::uint16_t seq = 1001; seq < 1100; ++seq) rig.publish(publisherPacket(seq), rig.now);
    EXPECT_EQ(rig.subscriber.rtp.size(), 1U) << "paused";

    rig.publisher.rtcp.clear();
    const auto later = rig.now + 5s;  // past the key-frame request throttle
    rig.consumer->setForwarding(true, later);
    EXPECT_FALSE(rig.publisher.rtcp.empty()) << "a key frame is asked for at once";
    rig.publish(publisherPacket(1100), later);
    EXPECT_EQ(rig.subscriber.rtp.size(), 1U) << "a delta frame cannot be decoded: wait";
    auto keyFrame = publisherPacket(1101);
    auto parsed = RtpPacket::parse(keyFrame);
    ASSERT_TRUE(parsed);
    const auto payloadAt = parsed->headerSize();
    keyFrame[payloadAt] = 0x10;      // VP8 descriptor: start of partition 0
    keyFrame[payloadAt + 1] = 0x00;  // P bit clear: a key frame
    rig.publish(keyFrame, later);
    rig.publish(publisherPacket(1102), later);
    ASSERT_EQ(rig.subscriber.rtp.size(), 3U);
    auto first = RtpPacket::parse(rig.subscriber.rtp[0]);
    auto resumed = RtpPacket::parse(rig.subscriber.rtp[1]);
    auto next = RtpPacket::parse(rig.subscriber.rtp[2]);
    EXPECT_EQ(resumed->sequenceNumber(), static_cast<std::uint16_t>(first->sequenceNumber() + 1));
    EXPECT_EQ(next->sequenceNumber(), static_cast<std::uint16_t>(first->sequenceNumber() + 2));
}
