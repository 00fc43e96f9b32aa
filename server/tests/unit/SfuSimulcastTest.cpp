// Simulcast on the media server without sockets: a Producer with three RID layers learns their
// SSRCs from the rid header extension, and a Consumer forwards exactly one layer, moving to
// another only on that layer's key frame while keeping sequence numbers, timestamps and VP8
// picture ids continuous; the LayerSelector picks the layer from the view and the bandwidth.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "media/Consumer.hpp"
#include "media/LayerSelector.hpp"
#include "media/Producer.hpp"
#include "media/RtpMapping.hpp"
#include "media/RtpPacket.hpp"
#include "media/Vp8PayloadDescriptor.hpp"

using namespace pulsemeet::media;
using namespace std::chrono_literals;

namespace {

using Bytes = std::vector<std::uint8_t>;
using Clock = std::chrono::steady_clock;

constexpr const char* kRidUri = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
constexpr std::uint8_t kRidId = 10;
constexpr std::uint32_t kLayerSsrcs[] = {0xA0000001, 0xA0000002, 0xA0000003};
// Each layer's own numbering, as Chrome's simulcast streams have.
constexpr std::uint16_t kFirstSequence[] = {1000, 20000, 40000};
constexpr std::uint32_t kFirstTimestamp[] = {5000, 700000, 90000000};
constexpr std::uint16_t kFirstPictureId[] = {100, 9000, 30000};
constexpr std::uint8_t kFirstTl0[] = {10, 120, 250};
const char* const kRids[] = {"q", "h", "f"};
constexpr std::uint16_t kWidths[] = {160, 320, 640};
constexpr std::uint16_t kHeights[] = {90, 180, 360};

SdpCodec vp8() {
    SdpCodec c;
    c.payloadType = 96;
    c.name = "VP8";
    c.clockRate = 90000;
    return c;
}

// A VP8 payload: descriptor with a 15-bit picture id and TL0PICIDX, then a frame header (a key
// frame carries the start code and the size).
Bytes vp8Payload(std::uint16_t pictureId, std::uint8_t tl0, bool keyFrame, std::uint16_t width,
                 std::uint16_t height) {
    Bytes p(keyFrame ? 15 : 10, 0);
    p[0] = 0x90;  // X, S, partition 0
    p[1] = 0xC0;  // I, L
    p[2] = static_cast<std::uint8_t>(0x80 | pictureId >> 8);
    p[3] = static_cast<std::uint8_t>(pictureId);
    p[4] = tl0;
    p[5] = keyFrame ? 0x10 : 0x11;  // frame tag: P clear on a key frame
    p[6] = 0x02;
    if (keyFrame) {
        p[8] = 0x9d;
        p[9] = 0x01;
        p[10] = 0x2a;
        p[11] = static_cast<std::uint8_t>(width);
        p[12] = static_cast<std::uint8_t>(width >> 8);
        p[13] = static_cast<std::uint8_t>(height);
        p[14] = static_cast<std::uint8_t>(height >> 8);
    } else {
        p[8] = 0x55;
        p[9] = 0x66;
    }
    return p;
}

struct Capture : Producer::Listener, Consumer::Listener {
    void onProducerRtcp(Producer&, std::span<const std::uint8_t> packet) override {
        rtcp.emplace_back(packet.begin(), packet.end());
    }
    bool consumerReady(const Consumer&) const override { return true; }
    void onConsumerRtp(Consumer&, SplitRtpPacket packet) override {
        auto& bytes = rtp.emplace_back(packet.front.begin(), packet.front.end());
        bytes.insert(bytes.end(), packet.rest.begin(), packet.rest.end());
    }
    std::vector<Bytes> rtp;
    std::vector<Bytes> rtcp;
};

// One publisher sending the three layers, frame by frame; one subscriber.
struct SimulcastRig {
    SimulcastRig() {
        Producer::Parameters p;
        p.mid = "1";
        p.kind = "video";
        p.codecs = {vp8()};
        p.extmaps = {{kRidId, kRidUri}};
        p.rids = {"q", "h", "f"};
        producer = std::make_unique<Producer>(p, publisher, stats);
        Consumer::Parameters c;
        c.mid = "5";
        c.ssrc = 0x55555555;
        c.payloadTypes = mapPayloadTypes(producer->parameters().codecs, std::vector{vp8()});
        c.extensions = mapExtensions(producer->parameters().extmaps, {});
        c.firstSequenceNumber = 7000;
        consumer = std::make_unique<Consumer>(*producer, c, subscriber, stats);
    }
    ~SimulcastRig() { consumer.reset(); }

    // One packet of `layer`'s next frame (or of the current frame when `marker` was false).
    void send(std::size_t layer, bool keyFrame, bool marker = true) {
        auto& s = state[layer];
        const Bytes payload =
            vp8Payload(static_cast<std::uint16_t>(kFirstPictureId[layer] + s.frame),
                       static_cast<std::uint8_t>(kFirstTl0[layer] + s.frame), keyFrame,
                       kWidths[layer], kHeights[layer]);
        const std::uint8_t rid = static_cast<std::uint8_t>(kRids[layer][0]);
        const RtpExtensionElement elements[] = {{kRidId, std::span(&rid, 1)}};
        Bytes out(1500);
        const auto size =
            writeRtpPacket(out,
                           {marker,
                            96,
                            static_cast<std::uint16_t>(kFirstSequence[layer] + s.packets),
                            kFirstTimestamp[layer] + s.frame * 3000,
                            kLayerSsrcs[layer],
                            {}},
                           elements, payload);
        out.resize(size);
        auto parsed = RtpPacket::parse(out);
        ASSERT_TRUE(parsed);
        if (!known[layer]) {
            ASSERT_TRUE(producer->learnSsrc(*parsed));
            known[layer] = true;
        }
        const auto produced = producer->receive(*parsed, now);
        ASSERT_TRUE(produced);
        ASSERT_EQ(produced->layer, layer);
        consumer->forward(*produced, now);
        ++s.packets;
        if (marker) ++s.frame;
    }
    // One frame on every layer, 33 ms apart.
    void frame(bool keyFrameOn = false, std::size_t keyLayer = 0) {
        for (std::size_t layer = 0; layer < 3; ++layer)
            send(layer, keyFrameOn && keyLayer == layer);
        now += 33ms;
    }

    struct LayerProgress {
        std::uint32_t packets = 0;
        std::uint32_t frame = 0;
    };
    SfuStats stats;
    Capture publisher;
    Capture subscriber;
    std::unique_ptr<Producer> producer;
    std::unique_ptr<Consumer> consumer;
    LayerProgress state[3];
    bool known[3] = {false, false, false};
    Clock::time_point now = Clock::now();
};

struct Sent {
    std::uint16_t sequence;
    std::uint32_t timestamp;
    std::uint16_t pictureId;
    std::uint8_t tl0;
    std::uint16_t width;  // 0: not a key frame
};

Sent sentAt(const Bytes& bytes) {
    Bytes copy = bytes;
    auto packet = RtpPacket::parse(copy);
    const auto descriptor = parseVp8PayloadDescriptor(packet->payload());
    const auto size = vp8KeyFrameSize(packet->payload());
    return {packet->sequenceNumber(), packet->timestamp(), *descriptor->pictureId,
            *descriptor->tl0PicIdx, size ? size->width : std::uint16_t{0}};
}

}  // namespace

TEST(SfuVp8PayloadDescriptor, ParsesPictureIdTl0AndKeyFrameSize) {
    const Bytes key = vp8Payload(0x1234, 77, true, 640, 360);
    const auto descriptor = parseVp8PayloadDescriptor(key);
    ASSERT_TRUE(descriptor);
    EXPECT_EQ(descriptor->pictureId, 0x1234);
    EXPECT_TRUE(descriptor->longPictureId);
    EXPECT_EQ(descriptor->tl0PicIdx, 77);
    EXPECT_EQ(descriptor->headerSize, 5U);
    const auto size = vp8KeyFrameSize(key);
    ASSERT_TRUE(size);
    EXPECT_EQ(size->width, 640);
    EXPECT_EQ(size->height, 360);
    EXPECT_FALSE(vp8KeyFrameSize(vp8Payload(1, 1, false, 0, 0)));
    EXPECT_FALSE(parseVp8PayloadDescriptor(Bytes{0x90, 0xC0, 0x80}));  // cut short
}

TEST(SfuVp8PayloadDescriptor, RewriterContinuesPictureIdAndTl0AcrossASync) {
    Vp8PictureIdRewriter rewriter;
    Bytes a = vp8Payload(500, 20, false, 0, 0);
    ASSERT_TRUE(rewriter.rewrite(a));
    EXPECT_EQ(parseVp8PayloadDescriptor(a)->pictureId, 500) << "no offset before a switch";
    rewriter.sync();
    Bytes b = vp8Payload(0x7FFE, 3, true, 320, 180);  // another stream, near the wrap
    ASSERT_TRUE(rewriter.rewrite(b));
    EXPECT_EQ(parseVp8PayloadDescriptor(b)->pictureId, 501);
    EXPECT_EQ(parseVp8PayloadDescriptor(b)->tl0PicIdx, 21);
    Bytes c = vp8Payload(1, 5, false, 0, 0);  // that stream wrapped: 0x7FFE -> 0x7FFF -> 0 -> 1
    ASSERT_TRUE(rewriter.rewrite(c));
    EXPECT_EQ(parseVp8PayloadDescriptor(c)->pictureId, 504);
    EXPECT_EQ(parseVp8PayloadDescriptor(c)->tl0PicIdx, 23);
}

TEST(SfuSimulcast, LayerSsrcsAreLearntFromTheRid) {
    SimulcastRig rig;
    rig.frame();
    EXPECT_EQ(rig.producer->layerSsrc(0), kLayerSsrcs[0]);
    EXPECT_EQ(rig.producer->layerSsrc(2), kLayerSsrcs[2]);
    const auto ssrcs = rig.producer->ssrcs();
    EXPECT_EQ(ssrcs.size(), 3U);
}

TEST(SfuSimulcast, ForwardsOneLayerAndSwitchesOnlyOnAKeyFrameOfTheTarget) {
    SimulcastRig rig;
    // Before the subscriber said anything: the highest layer, from its first key frame.
    rig.frame();
    EXPECT_TRUE(rig.subscriber.rtp.empty()) << "nothing before a key frame of the target";
    rig.frame(true, 0);
    EXPECT_TRUE(rig.subscriber.rtp.empty()) << "a key frame of another layer does not start it";
    rig.frame(true, 2);
    ASSERT_EQ(rig.subscriber.rtp.size(), 1U);
    EXPECT_EQ(sentAt(rig.subscriber.rtp[0]).width, 640);
    rig.frame(true, 1);  // makes every layer's size known
    rig.frame(true, 0);
    ASSERT_EQ(rig.subscriber.rtp.size(), 3U) << "one packet per frame: only the full layer";

    // The tile shrinks to a thumbnail: the quarter layer is wanted, and a key frame asked for.
    const auto plisBefore = rig.publisher.rtcp.size();
    rig.consumer->updateLayers(ViewSize{150, 84}, std::nullopt, rig.now);
    EXPECT_EQ(rig.consumer->layerChoice().target, 0U);
    EXPECT_EQ(rig.publisher.rtcp.size(), plisBefore + 1) << "a PLI for the quarter layer";
    for (int i = 0; i < 3; ++i) rig.frame();  // no key frame on q yet: still the full layer
    EXPECT_EQ(rig.consumer->currentLayer(), 2U);
    EXPECT_EQ(sentAt(rig.subscriber.rtp.back()).width, 0);
    rig.frame(true, 0);
    EXPECT_EQ(rig.consumer->currentLayer(), 0U);
    // The q key frame went out in the same frame round; f's packet after it did not.
    EXPECT_EQ(sentAt(rig.subscriber.rtp.back()).width, 160);
    const auto count = rig.subscriber.rtp.size();
    rig.frame();
    EXPECT_EQ(rig.subscriber.rtp.size(), count + 1) << "only the quarter layer now";
}

TEST(SfuSimulcast, SequenceTimestampAndPictureIdContinueAcrossASwitch) {
    SimulcastRig rig;
    rig.frame(true, 2);
    rig.frame(true, 1);
    rig.frame(true, 0);
    rig.frame();
    const Sent last = sentAt(rig.subscriber.rtp.back());
    rig.consumer->updateLayers(ViewSize{150, 84}, std::nullopt, rig.now);
    rig.frame(true, 0);  // q's key frame: the switch
    const Sent first = sentAt(rig.subscriber.rtp.back());
    EXPECT_EQ(first.width, 160);
    EXPECT_EQ(first.sequence, static_cast<std::uint16_t>(last.sequence + 1))
        << "the last frame was complete: no gap";
    // 33 ms later at 90 kHz, whatever the new layer's own timestamps were.
    EXPECT_EQ(first.timestamp - last.timestamp, 33U * 90U);
    EXPECT_EQ(first.pictureId, static_cast<std::uint16_t>(last.pictureId + 1));
    EXPECT_EQ(first.tl0, static_cast<std::uint8_t>(last.tl0 + 1));
    rig.frame();
    const Sent next = sentAt(rig.subscriber.rtp.back());
    EXPECT_EQ(next.sequence, static_cast<std::uint16_t>(first.sequence + 1));
    EXPECT_EQ(next.timestamp - first.timestamp, 3000U) << "the new layer's own spacing";
    EXPECT_EQ(next.pictureId, static_cast<std::uint16_t>(first.pictureId + 1));
}

TEST(SfuSimulcast, ANackIsAnsweredWithTheBytesSentFromEitherSideOfASwitch) {
    // The consumer keeps only the front it rewrote (header, renumbered VP8 descriptor) and takes
    // the rest from the producer's copy of the publisher's packet: the repair must be the very
    // bytes sent, on each layer and whatever the picture ids were renumbered to.
    SimulcastRig rig;
    rig.frame(true, 2);
    rig.frame();
    const Bytes beforeSwitch = rig.subscriber.rtp.back();
    rig.consumer->updateLayers(ViewSize{150, 84}, std::nullopt, rig.now);
    rig.frame(true, 0);
    rig.frame();
    const Bytes afterSwitch = rig.subscriber.rtp.back();
    ASSERT_NE(sentAt(afterSwitch).pictureId,
              static_cast<std::uint16_t>(kFirstPictureId[0] + rig.state[0].frame - 1))
        << "renumbered: the front differs from the publisher's";
    const auto sent = rig.subscriber.rtp.size();
    rig.consumer->retransmit(sentAt(beforeSwitch).sequence, rig.now + 5ms);
    rig.consumer->retransmit(sentAt(afterSwitch).sequence, rig.now + 5ms);
    ASSERT_EQ(rig.subscriber.rtp.size(), sent + 2);
    EXPECT_EQ(rig.subscriber.rtp[sent], beforeSwitch);
    EXPECT_EQ(rig.subscriber.rtp[sent + 1], afterSwitch);
    EXPECT_EQ(rig.stats.retransmissions, 2U);
    EXPECT_EQ(rig.stats.retransmissionsMissed, 0U);
    // The same NACK again within one round trip: answered once, on purpose, so not a miss.
    rig.consumer->retransmit(sentAt(afterSwitch).sequence, rig.now + 10ms);
    EXPECT_EQ(rig.subscriber.rtp.size(), sent + 2);
    EXPECT_EQ(rig.stats.retransmissionsMissed, 0U);
    // A sequence number never sent, and one asked for after 2 s: missed, and counted.
    rig.consumer->retransmit(static_cast<std::uint16_t>(sentAt(afterSwitch).sequence + 100),
                             rig.now + 10ms);
    rig.consumer->retransmit(sentAt(beforeSwitch).sequence, rig.now + 2100ms);
    EXPECT_EQ(rig.subscriber.rtp.size(), sent + 2);
    EXPECT_EQ(rig.stats.retransmissions, 2U);
    EXPECT_EQ(rig.stats.retransmissionsMissed, 2U);
}

TEST(SfuSimulcast, ALayerThatStoppedGivesItsRetransmissionStorageBack) {
    // Nobody watches the full layer: the publisher pauses it (Router::announceEncodings), and
    // once nothing of it can be asked for (2 s), its storage goes; the layers still sent keep
    // theirs. Resumed, the layer is kept again and a NACK of it answered.
    SimulcastRig rig;
    rig.frame(true, 2);
    for (int i = 0; i < 5; ++i) rig.frame();
    const auto allLayers = rig.producer->retransmissionBytes();
    ASSERT_GT(allLayers, 0U);
    const auto lastFull = rig.now - 33ms;  // the last frame's f packet
    while (rig.now < lastFull + 1950ms) {  // q and h only
        rig.send(0, false);
        rig.send(1, false);
        rig.now += 33ms;
        rig.producer->tick(rig.now);
    }
    const auto withFull = rig.producer->retransmissionBytes();
    EXPECT_GT(withFull, allLayers) << "q and h stored more, f still kept";
    rig.now = lastFull + 2001ms;
    rig.producer->tick(rig.now);
    const auto fullReleased = rig.producer->retransmissionBytes();
    EXPECT_LT(fullReleased, withFull) << "f's storage released";
    EXPECT_GT(fullReleased, 0U) << "q's and h's kept";

    rig.frame(true, 2);  // f resumes with a key frame, forwarded again
    const Bytes resumed = rig.subscriber.rtp.back();
    EXPECT_GT(rig.producer->retransmissionBytes(), fullReleased);
    const auto sent = rig.subscriber.rtp.size();
    rig.consumer->retransmit(sentAt(resumed).sequence, rig.now);
    ASSERT_EQ(rig.subscriber.rtp.size(), sent + 1);
    EXPECT_EQ(rig.subscriber.rtp.back(), resumed);
}

TEST(SfuSimulcast, ANackIsNotAnsweredFromAStreamThePublisherRestarted) {
    SimulcastRig rig;
    rig.frame(true, 2);  // f's key frame, forwarded
    const Bytes first = rig.subscriber.rtp.back();
    // The publisher restarts f on a new SSRC, numbered from the same number: what the producer
    // holds under that number now is another stream's packet, of the same size.
    const std::uint8_t rid = 'f';
    const RtpExtensionElement elements[] = {{kRidId, std::span(&rid, 1)}};
    const Bytes payload = vp8Payload(5, 1, true, kWidths[2], kHeights[2]);
    Bytes out(1500);
    out.resize(writeRtpPacket(out, {true, 96, kFirstSequence[2], 1234, 0xB0000003, {}}, elements,
                              payload));
    auto parsed = RtpPacket::parse(out);
    ASSERT_TRUE(parsed);
    ASSERT_TRUE(rig.producer->learnSsrc(*parsed));
    ASSERT_TRUE(rig.producer->receive(*parsed, rig.now));
    const auto sent = rig.subscriber.rtp.size();
    rig.consumer->retransmit(sentAt(first).sequence, rig.now + 5ms);
    EXPECT_EQ(rig.subscriber.rtp.size(), sent) << "not answered with the new stream's packet";
    EXPECT_EQ(rig.stats.retransmissions, 0U);
    EXPECT_EQ(rig.stats.retransmissionsMissed, 1U) << "a NACK not answered is counted";
}

TEST(SfuSimulcast, AnIncompleteLastFrameLeavesOneSequenceNumberOut) {
    SimulcastRig rig;
    rig.frame(true, 2);
    rig.frame(true, 0);
    // The full layer's next frame: its first packet only (no marker), then the switch.
    rig.consumer->updateLayers(ViewSize{150, 84}, std::nullopt, rig.now);
    rig.send(2, false, false);
    const Sent last = sentAt(rig.subscriber.rtp.back());
    rig.send(0, true);
    const Sent first = sentAt(rig.subscriber.rtp.back());
    EXPECT_EQ(first.width, 160);
    EXPECT_EQ(first.sequence, static_cast<std::uint16_t>(last.sequence + 2))
        << "a gap tells the decoder the previous frame is incomplete (mediasoup's rule)";
}

TEST(SfuSimulcast, AVideoNotShownIsNotForwardedAndResumesOnAKeyFrame) {
    SimulcastRig rig;
    rig.frame(true, 2);
    const auto count = rig.subscriber.rtp.size();
    rig.consumer->updateLayers(ViewSize{0, 0}, std::nullopt, rig.now);
    EXPECT_FALSE(rig.consumer->layerChoice().desired);
    rig.frame(true, 2);
    EXPECT_EQ(rig.subscriber.rtp.size(), count);
    rig.consumer->updateLayers(ViewSize{640, 360}, std::nullopt, rig.now);
    rig.frame();
    EXPECT_EQ(rig.subscriber.rtp.size(), count) << "waits for a key frame";
    rig.frame(true, 2);
    EXPECT_EQ(rig.subscriber.rtp.size(), count + 1);
}

TEST(SfuLayerSelector, PreferredLayerFillsTheView) {
    const std::vector<LayerState> layers = {
        {true, 160, 90, 150'000}, {true, 320, 180, 400'000}, {true, 640, 360, 1'000'000}};
    EXPECT_EQ(preferredLayer(layers, {150, 84}), 0U);
    EXPECT_EQ(preferredLayer(layers, {300, 168}), 1U);
    EXPECT_EQ(preferredLayer(layers, {330, 186}), 1U) << "a little upscaling is fine";
    EXPECT_EQ(preferredLayer(layers, {600, 338}), 2U);
    EXPECT_EQ(preferredLayer(layers, {1920, 1080}), 2U);
    // Only the top layer's size known: the others are halves of it.
    const std::vector<LayerState> partly = {{true, 0, 0, 0}, {true, 0, 0, 0}, {true, 640, 360, 0}};
    EXPECT_EQ(preferredLayer(partly, {150, 84}), 0U);
}

TEST(SfuLayerSelector, CongestionGoesDownAtOnceAndHeadroomUpOneLayerAfterItHeld) {
    const std::vector<LayerState> layers = {
        {true, 160, 90, 150'000}, {true, 320, 180, 400'000}, {true, 640, 360, 1'000'000}};
    LayerSelector selector;
    const auto t0 = Clock::now();
    const ViewSize big{640, 360};
    EXPECT_EQ(selector.choose(layers, big, 2'000'000, t0).target, 2U);
    EXPECT_EQ(selector.choose(layers, big, 300'000, t0 + 1s).target, 2U)
        << "the first estimate is left to settle";
    EXPECT_EQ(selector.choose(layers, big, 300'000, t0 + 6s).target, 0U)
        << "congested: down at once to what fits";
    // The estimate runs 1.5 x the quarter layer: headroom, but up only after 3 s of it.
    EXPECT_EQ(selector.choose(layers, big, 225'000, t0 + 6100ms).target, 0U);
    EXPECT_EQ(selector.choose(layers, big, 225'000, t0 + 9s).target, 0U);
    EXPECT_EQ(selector.choose(layers, big, 225'000, t0 + 9200ms).target, 1U) << "one layer up";
    EXPECT_EQ(selector.choose(layers, big, 200'000, t0 + 10s).target, 1U)
        << "the estimate is left to catch up with the new rate";
    EXPECT_EQ(selector.choose(layers, big, 200'000, t0 + 15s).target, 0U)
        << "it did not: down again";
    // Congested again soon: the next try waits twice as long.
    EXPECT_EQ(selector.choose(layers, big, 225'000, t0 + 15100ms).target, 0U);
    EXPECT_EQ(selector.choose(layers, big, 225'000, t0 + 18200ms).target, 0U);
    EXPECT_EQ(selector.choose(layers, big, 225'000, t0 + 21200ms).target, 1U);
    // A layer the view does not need is never reached for.
    LayerSelector small;
    EXPECT_EQ(small.choose(layers, ViewSize{150, 84}, 5'000'000, t0).target, 0U);
    EXPECT_EQ(small.choose(layers, ViewSize{150, 84}, 5'000'000, t0 + 30s).target, 0U);
}

TEST(SfuLayerSelector, AHardCapIsAbsolute) {
    const std::vector<LayerState> layers = {
        {true, 160, 90, 150'000}, {true, 320, 180, 400'000}, {true, 640, 360, 1'000'000}};
    LayerSelector selector;
    const auto t0 = Clock::now();
    EXPECT_EQ(selector.choose(layers, ViewSize{640, 360}, std::nullopt, t0, 100'000).target, 0U);
    EXPECT_EQ(selector.choose(layers, ViewSize{640, 360}, std::nullopt, t0, 500'000).target, 1U);
    EXPECT_EQ(selector.choose(layers, ViewSize{640, 360}, std::nullopt, t0, 5'000'000).target, 2U);
}

TEST(SfuLayerSelector, ANotLiveLayerIsWantedButANearLiveOneForwarded) {
    const std::vector<LayerState> layers = {
        {true, 160, 90, 150'000}, {false, 320, 180, 0}, {false, 640, 360, 0}};
    LayerSelector selector;
    const auto choice = selector.choose(layers, ViewSize{640, 360}, std::nullopt, Clock::now());
    EXPECT_EQ(choice.desired, 2U) << "kept active at the publisher";
    EXPECT_EQ(choice.target, 0U) << "forwarded meanwhile";
    EXPECT_EQ(selector.choose(layers, ViewSize{0, 0}, std::nullopt, Clock::now()), LayerChoice{});
}
