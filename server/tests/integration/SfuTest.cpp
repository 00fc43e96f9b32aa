// The media server end to end over real UDP on 127.0.0.1: a publisher and a subscriber, each a
// test client doing what a browser does (STUN, DTLS as client, SRTP), offer to a real Sfu. The
// publisher's RTP reaches the subscriber rewritten for the subscriber's answer; the subscriber's
// NACK is answered with a retransmission, its arrival makes the publisher get a PLI, and a
// deterministic drop shows gaps that NACKs repair.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "MediaTestClient.hpp"
#include "SfuCalls.hpp"
#include "UdpMediaPeer.hpp"
#include "media/IceLiteServer.hpp"
#include "media/Producer.hpp"
#include "media/RtcpPacket.hpp"
#include "media/RtpPacket.hpp"
#include "media/SdpOffer.hpp"
#include "media/Sfu.hpp"
#include "media/SrtpSession.hpp"
#include "media/StunMessage.hpp"
#include "obs/Logger.hpp"

namespace pulsemeet::media {
namespace {

using mediatest::Bytes;
using mediatest::chromeLikeOffer;
using mediatest::offerAndWait;
using mediatest::OfferSection;
using mediatest::statsOf;
using mediatest::stunBindingRequest;
using mediatest::TestDtlsClient;
using mediatest::UdpMediaPeer;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kCameraSsrc = 0x0CA0CA01;
constexpr std::uint32_t kCameraRtxSsrc = 0x0CA0CA02;
constexpr std::uint32_t kMicrophoneSsrc = 0x0A0D1001;
constexpr std::uint8_t kPublisherMidId = 4;
constexpr std::uint8_t kSubscriberMidId = 9;

// What the test listener heard, waited on with a deadline.
class RecordingListener : public SfuListener {
  public:
    void onTracksAvailable(const std::string&, const std::string& subscriberId,
                           std::vector<AvailableTrack> tracks) override {
        std::lock_guard lock(mutex_);
        available_[subscriberId].push_back(std::move(tracks));
        changed_.notify_all();
    }
    void onTransportClosed(const std::string&, const std::string& peerId,
                           std::string_view reason) override {
        std::lock_guard lock(mutex_);
        closed_.emplace_back(peerId + ":" + std::string(reason));
        changed_.notify_all();
    }
    // The n-th announcement to a subscriber (1-based), waiting up to 5 s.
    std::optional<std::vector<AvailableTrack>> announcement(const std::string& subscriberId,
                                                            std::size_t n) {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, 5s, [&] { return available_[subscriberId].size() >= n; });
        if (available_[subscriberId].size() < n) return std::nullopt;
        return available_[subscriberId][n - 1];
    }

    // The first transport closure reported ("peer:reason"), waiting up to 15 s.
    std::optional<std::string> firstClosed() {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, 15s, [&] { return !closed_.empty(); });
        if (closed_.empty()) return std::nullopt;
        return closed_.front();
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::map<std::string, std::vector<std::vector<AvailableTrack>>> available_;
    std::vector<std::string> closed_;
};

// A VP8 packet from the publisher's camera, with its mid extension.
Bytes cameraPacket(std::uint16_t sequence, std::uint32_t ssrc = kCameraSsrc) {
    const std::uint8_t mid[] = {'1'};
    const RtpExtensionElement elements[] = {{kPublisherMidId, mid}};
    Bytes payload(100);
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(i);
    payload[0] = 0x10;  // VP8 descriptor: start of partition 0
    Bytes out(1500);
    out.resize(
        writeRtpPacket(out, {false, 96, sequence, 3000u * sequence, ssrc, {}}, elements, payload));
    return out;
}

bool isRtpFrom(const UdpMediaPeer::Packet& packet, std::uint32_t ssrc) {
    if (packet.rtcp) return false;
    auto copy = packet.plain;
    const auto rtp = RtpPacket::parse(copy);
    return rtp && rtp->ssrc() == ssrc;
}

// The first feedback packet of this type/format in a compound, as its bytes.
template <typename View>
std::optional<View> feedback(const UdpMediaPeer::Packet& packet, std::uint8_t type,
                             std::uint8_t fmt, Bytes& storage) {
    if (!packet.rtcp) return std::nullopt;
    storage = packet.plain;
    const auto compound = RtcpCompound::parse(storage);
    if (!compound) return std::nullopt;
    std::optional<View> found;
    compound->forEach([&](const RtcpPacketView& view) {
        if (!found && view.packetType() == type && view.countOrFormat() == fmt)
            found = View::from(view);
    });
    return found;
}

// The ssrc and rtx ssrc the answer declares for a section.
std::pair<std::uint32_t, std::uint32_t> declaredSsrcs(const std::string& answerSdp,
                                                      const std::string& mid) {
    const auto answer = std::get<SdpOffer>(parseSdpOffer(answerSdp));
    for (const auto& section : answer.media) {
        if (section.mid == mid && !section.fidGroups.empty()) return section.fidGroups.front();
    }
    throw std::runtime_error("no ssrc-group for mid " + mid);
}

struct Room {
    explicit Room(unsigned dropPercent, obs::Logger* logger = nullptr)
        : sfu(Sfu::Options{"127.0.0.1", 0, "127.0.0.1", 1, dropPercent, logger}, listener),
          publisher(sfu.port()),
          subscriber(sfu.port()) {}

    // The publisher sends its microphone and camera; the subscriber offers a recvonly video
    // (VP8 at 100, rtx 101, mid extension id 9) and audio section, then both connect.
    void join() {
        const auto publisherOffer =
            chromeLikeOffer(publisherIce, publisher.fingerprint(),
                            {{"audio", "0", "sendonly", kMicrophoneSsrc},
                             {"video", "1", "sendonly", kCameraSsrc, kCameraRtxSsrc}});
        publisherAnswer = offerAndWait(sfu, "room", "pub", publisherOffer);
        publisher.connect(publisherAnswer.sdp, publisherIce);
        subscriberOffer = chromeLikeOffer(subscriberIce, subscriber.fingerprint(),
                                          {{"video", "v", "recvonly", 0, 0, 100, kSubscriberMidId},
                                           {"audio", "a", "recvonly", 0, 0, 96, kSubscriberMidId}});
        subscriberAnswer = offerAndWait(sfu, "room", "sub", subscriberOffer);
        std::tie(subscriberSsrc, subscriberRtxSsrc) = declaredSsrcs(subscriberAnswer.sdp, "v");
        subscriber.connect(subscriberAnswer.sdp, subscriberIce);
    }

    RecordingListener listener;
    Sfu sfu;
    UdpMediaPeer publisher;
    UdpMediaPeer subscriber;
    IceCredentials publisherIce{"pubufrag", "publisher-password-0123456789"};
    IceCredentials subscriberIce{"subufrag", "subscriber-password-0123456789"};
    SfuAnswer publisherAnswer;
    SfuAnswer subscriberAnswer;
    std::string subscriberOffer;
    std::uint32_t subscriberSsrc = 0;
    std::uint32_t subscriberRtxSsrc = 0;
};

TEST(SfuTest, ForwardsRewrittenAndAnswersNackAndPli) {
    Room room(0);
    room.join();
    EXPECT_TRUE(room.publisherAnswer.tracks.empty());
    EXPECT_EQ(room.subscriberAnswer.tracks,
              (std::vector<ForwardedTrack>{{"v", "pub", TrackSource::camera},
                                           {"a", "pub", TrackSource::microphone}}));
    const auto announced = room.listener.announcement("sub", 1);
    ASSERT_TRUE(announced);
    EXPECT_EQ(*announced, (std::vector<AvailableTrack>{{"pub", TrackSource::microphone},
                                                       {"pub", TrackSource::camera}}));

    // The subscriber's arrival asks the publisher for a key frame.
    Bytes storage;
    const auto pli = room.publisher.receiveUntil([&](const auto& packet) {
        const auto view = feedback<PliView>(packet, rtcp::kPayloadFeedback, rtcp::kFmtPli, storage);
        return view && view->mediaSsrc() == kCameraSsrc;
    });
    EXPECT_TRUE(pli) << "no PLI reached the publisher";

    // Media: rewritten to the subscriber's SSRC, payload type, numbering and mid.
    for (std::uint16_t s = 100; s < 110; ++s) room.publisher.sendRtp(cameraPacket(s));
    std::vector<Bytes> received;
    while (received.size() < 10) {
        auto packet = room.subscriber.receiveUntil(
            [&](const auto& p) { return isRtpFrom(p, room.subscriberSsrc); });
        ASSERT_TRUE(packet) << "got " << received.size() << " of 10";
        received.push_back(std::move(packet->plain));
    }
    std::vector<std::uint16_t> sequences;
    for (auto& bytes : received) {
        auto rtp = RtpPacket::parse(bytes);
        EXPECT_EQ(rtp->payloadType(), 100);
        const auto mid = rtp->extension(kSubscriberMidId);
        ASSERT_TRUE(mid);
        EXPECT_EQ(std::string(mid->begin(), mid->end()), "v");
        EXPECT_EQ(rtp->payload().size(), 100U);
        sequences.push_back(rtp->sequenceNumber());
    }
    for (std::size_t i = 1; i < sequences.size(); ++i)
        EXPECT_EQ(sequences[i], static_cast<std::uint16_t>(sequences[0] + i));

    // The subscriber NACKs one: it comes back on the RTX stream.
    std::array<std::uint8_t, 64> buffer{};
    const NackItem item{sequences[3], 0};
    RtcpWriter nack(buffer);
    nack.nack(1, room.subscriberSsrc, std::span(&item, 1));
    room.subscriber.sendRtcp(nack.bytes());
    const auto repair = room.subscriber.receiveUntil(
        [&](const auto& p) { return isRtpFrom(p, room.subscriberRtxSsrc); });
    ASSERT_TRUE(repair) << "no retransmission";
    auto rtx = repair->plain;
    const auto rtxPacket = RtpPacket::parse(rtx);
    EXPECT_EQ(rtxPacket->payloadType(), 101);
    EXPECT_EQ(rtxPacket->payload()[0] << 8 | rtxPacket->payload()[1], sequences[3]);

    // A packet lost on the way in is NACKed to the publisher.
    room.publisher.sendRtp(cameraPacket(111));  // 110 never sent
    const auto upstreamNack = room.publisher.receiveUntil([&](const auto& packet) {
        const auto view = feedback<NackView>(packet, rtcp::kRtpFeedback, rtcp::kFmtNack, storage);
        return view && view->mediaSsrc() == kCameraSsrc && view->item(0).packetId == 110;
    });
    EXPECT_TRUE(upstreamNack) << "no NACK for 110 reached the publisher";

    // Reports: the subscriber gets a sender report for its stream; the publisher a receiver
    // report for its camera and, once the subscriber told its estimate, a REMB: the upstream cap,
    // since 1 Mbit/s is more than the subscriber is sent (it is not congested; a congested one's
    // share is SfuForwardingTest's).
    const auto senderReport = room.subscriber.receiveUntil([&](const auto& packet) {
        if (!packet.rtcp) return false;
        storage = packet.plain;
        bool found = false;
        RtcpCompound::parse(storage)->forEach([&](const RtcpPacketView& view) {
            const auto report = SenderReportView::from(view);
            found = found || (report && report->ssrc() == room.subscriberSsrc &&
                              report->senderInfo().packetCount >= 10);
        });
        return found;
    });
    EXPECT_TRUE(senderReport) << "no sender report for the subscriber's stream";
    const std::uint32_t estimated[] = {room.subscriberSsrc};
    RtcpWriter remb(buffer);
    remb.receiverReport(1, {}).remb(1, 1'000'000, estimated);
    room.subscriber.sendRtcp(remb.bytes());
    bool receiverReportSeen = false;
    const auto cap = room.publisher.receiveUntil([&](const auto& packet) {
        if (!packet.rtcp) return false;
        storage = packet.plain;
        bool capped = false;
        RtcpCompound::parse(storage)->forEach([&](const RtcpPacketView& view) {
            if (const auto report = ReceiverReportView::from(view)) {
                for (std::size_t i = 0; i < report->reportCount(); ++i)
                    receiverReportSeen =
                        receiverReportSeen || report->reportBlock(i).ssrc == kCameraSsrc;
            }
            if (view.packetType() != rtcp::kPayloadFeedback ||
                view.countOrFormat() != rtcp::kFmtAfb)
                return;
            const auto estimate = RembView::from(view);
            capped = capped || (estimate && estimate->bitrate() == Producer::kUpstreamCap &&
                                estimate->ssrcCount() == 1 && estimate->ssrc(0) == kCameraSsrc);
        });
        return capped;
    });
    EXPECT_TRUE(cap) << "the subscriber's estimate did not reach the publisher as REMB";
    EXPECT_TRUE(receiverReportSeen) << "no receiver report block for the camera";

    const auto stats = statsOf(room.sfu);
    EXPECT_GE(stats.rtpPacketsIn, 11U);
    EXPECT_GE(stats.rtpPacketsOut, 11U);
    EXPECT_EQ(stats.nacksReceived, 1U);
    EXPECT_EQ(stats.retransmissions, 1U);
    EXPECT_GE(stats.plisSent, 1U);
    EXPECT_GE(stats.nacksSent, 1U);
    EXPECT_EQ(stats.transports, 2U);
    EXPECT_EQ(stats.producers, 2U);
    EXPECT_EQ(stats.forwardedStreams, 2U);
    EXPECT_EQ(stats.rooms, 1U);
    // One forwarding time per packet the publisher sent (100..109 and 111), nothing else.
    EXPECT_EQ(stats.forwarding.count(), 11U);
    EXPECT_EQ(stats.forwarding.count(), stats.rtpPacketsIn);
    EXPECT_GT(stats.forwarding.sumNanoseconds, 0U);
    EXPECT_EQ(stats.droppedUnknownSender, 0U);

    // The publisher leaves: the subscriber hears that nothing is left.
    room.sfu.removePeer("room", "pub");
    const auto after = room.listener.announcement("sub", 2);
    ASSERT_TRUE(after);
    EXPECT_TRUE(after->empty());
}

TEST(SfuTest, DroppedPacketsShowAsGapsThatNacksRepair) {
    Room room(20);
    room.join();
    constexpr std::uint16_t kCount = 50;
    for (std::uint16_t s = 0; s < kCount; ++s) room.publisher.sendRtp(cameraPacket(1000 + s));
    std::set<std::uint16_t> seen;
    std::optional<std::uint16_t> first;
    // 40 of 50 arrive (every fifth is dropped); the first forwarded one starts the numbering.
    while (seen.size() < 40) {
        auto packet = room.subscriber.receiveUntil(
            [&](const auto& p) { return isRtpFrom(p, room.subscriberSsrc); });
        ASSERT_TRUE(packet) << "got " << seen.size() << " of 40";
        seen.insert(RtpPacket::parse(packet->plain)->sequenceNumber());
    }
    first = *seen.begin();
    std::vector<std::uint16_t> missing;
    for (std::uint16_t i = 0; i < kCount; ++i)
        if (!seen.contains(static_cast<std::uint16_t>(*first + i)))
            missing.push_back(static_cast<std::uint16_t>(*first + i));
    // Every fifth packet is missing (not merely the last ten not read yet).
    std::vector<std::uint16_t> everyFifth;
    for (std::uint16_t k = 1; k <= 10; ++k)
        everyFifth.push_back(static_cast<std::uint16_t>(*first + 5 * k - 1));
    EXPECT_EQ(missing, everyFifth) << "gaps where the server dropped";

    std::array<NackItem, 16> items{};
    const auto count = packNackItems(missing, items);
    std::array<std::uint8_t, 256> buffer{};
    RtcpWriter nack(buffer);
    nack.nack(1, room.subscriberSsrc, std::span(items).first(count));
    room.subscriber.sendRtcp(nack.bytes());
    std::set<std::uint16_t> repaired;
    while (repaired.size() < missing.size()) {
        auto packet = room.subscriber.receiveUntil(
            [&](const auto& p) { return isRtpFrom(p, room.subscriberRtxSsrc); });
        ASSERT_TRUE(packet) << "repaired " << repaired.size() << " of " << missing.size();
        const auto rtx = RtpPacket::parse(packet->plain);
        repaired.insert(static_cast<std::uint16_t>(rtx->payload()[0] << 8 | rtx->payload()[1]));
    }
    EXPECT_EQ(repaired, std::set<std::uint16_t>(missing.begin(), missing.end()));
    EXPECT_EQ(statsOf(room.sfu).testDropped, 10U);
}

// A frame of two packets to 200 subscribers is 400 datagrams: more than a send batch holds, so
// forwarded packet by packet each flush would hold one packet per subscriber. Forwarded
// subscriber by subscriber (FanOutRound), each subscriber's two packets follow one another and
// leave as one segmented message (UDP GSO), and every subscriber still receives every packet,
// in order.
TEST(SfuTest, AFramesPacketsToEachOfManySubscribersLeaveAsOneSegmentedMessage) {
    constexpr std::size_t kSubscribers = 200;
    RecordingListener listener;
    Sfu sfu(Sfu::Options{"127.0.0.1", 0, "127.0.0.1", 1, 0}, listener);
    UdpMediaPeer publisher(sfu.port());
    const IceCredentials publisherIce{"pubufrag", "publisher-password-0123456789"};
    const auto publisherAnswer =
        offerAndWait(sfu, "room", "pub",
                     chromeLikeOffer(publisherIce, publisher.fingerprint(),
                                     {{"video", "1", "sendonly", kCameraSsrc, kCameraRtxSsrc}}));
    publisher.connect(publisherAnswer.sdp, publisherIce);
    std::vector<std::unique_ptr<UdpMediaPeer>> subscribers;
    std::vector<std::uint32_t> ssrcs;
    for (std::size_t i = 0; i < kSubscribers; ++i) {
        auto subscriber = std::make_unique<UdpMediaPeer>(sfu.port());
        const IceCredentials ice{"sub" + std::to_string(i), "subscriber-password-0123456789"};
        const auto answer = offerAndWait(
            sfu, "room", "sub" + std::to_string(i),
            chromeLikeOffer(ice, subscriber->fingerprint(),
                            {{"video", "v", "recvonly", 0, 0, 100, kSubscriberMidId}}));
        ssrcs.push_back(declaredSsrcs(answer.sdp, "v").first);
        subscriber->connect(answer.sdp, ice);
        subscribers.push_back(std::move(subscriber));
    }

    // The worker reads a frame's two packets in one round when the second arrives before it
    // has woken for the first, as it does for most frames here: frames go until one did.
    std::uint16_t sequence = 0;
    std::uint64_t segmented = statsOf(sfu).sentSegmented;
    std::uint64_t mostAtOnce = 0;
    const auto deadline = Clock::now() + 10s;
    while (mostAtOnce < 2 * kSubscribers && Clock::now() < deadline) {
        publisher.sendRtp(cameraPacket(sequence++));
        publisher.sendRtp(cameraPacket(sequence++));
        const auto now = statsOf(sfu).sentSegmented;
        mostAtOnce = std::max(mostAtOnce, now - segmented);
        segmented = now;
    }
    ASSERT_GE(mostAtOnce, 2 * kSubscribers)
        << "no frame left as one segmented message per subscriber in " << sequence / 2 << " frames";

    for (std::size_t i = 0; i < kSubscribers; ++i) {
        std::vector<std::uint16_t> received;
        while (received.size() < sequence) {
            auto packet =
                subscribers[i]->receiveUntil([&](const auto& p) { return isRtpFrom(p, ssrcs[i]); });
            ASSERT_TRUE(packet) << "subscriber " << i << " got " << received.size() << " of "
                                << sequence;
            received.push_back(RtpPacket::parse(packet->plain)->sequenceNumber());
        }
        for (std::size_t k = 1; k < received.size(); ++k)
            ASSERT_EQ(received[k], static_cast<std::uint16_t>(received[0] + k))
                << "subscriber " << i << ", packet " << k;
    }
}

TEST(SfuTest, ReofferKeepsTheTransportAndMappingAndAnIceRestartChangesCredentials) {
    Room room(0);
    room.join();
    const auto ufragOf = [](const std::string& sdp) {
        return std::get<SdpOffer>(parseSdpOffer(sdp)).media.front().iceUfrag;
    };
    const auto again = offerAndWait(room.sfu, "room", "sub", room.subscriberOffer);
    EXPECT_EQ(ufragOf(again.sdp), ufragOf(room.subscriberAnswer.sdp));
    EXPECT_NE(again.sdp.find("o=- "), std::string::npos);
    EXPECT_NE(again.sdp.find(" 2 IN IP4"), std::string::npos) << "session version 2";
    EXPECT_EQ(again.tracks, room.subscriberAnswer.tracks);
    EXPECT_EQ(declaredSsrcs(again.sdp, "v").first, room.subscriberSsrc);

    // Media still flows on the same connection.
    room.publisher.sendRtp(cameraPacket(7));
    EXPECT_TRUE(room.subscriber.receiveUntil(
        [&](const auto& p) { return isRtpFrom(p, room.subscriberSsrc); }));

    const IceCredentials restarted{"newufrag", "another-password-0123456789"};
    SdpFingerprint fingerprint = room.subscriber.fingerprint();
    const auto restartOffer =
        chromeLikeOffer(restarted, fingerprint,
                        {{"video", "v", "recvonly", 0, 0, 100, kSubscriberMidId},
                         {"audio", "a", "recvonly", 0, 0, 96, kSubscriberMidId}});
    const auto afterRestart = offerAndWait(room.sfu, "room", "sub", restartOffer);
    EXPECT_NE(ufragOf(afterRestart.sdp), ufragOf(room.subscriberAnswer.sdp));
    EXPECT_EQ(statsOf(room.sfu).transports, 2U) << "the same transport, new ICE credentials";
}

// Issue 15's intermittent missing video: a publisher's page made a fresh connection (new
// certificate, new SSRCs, RTP timestamps and VP8 picture ids starting elsewhere) and its offer
// was answered before a subscriber re-offered. The subscriber's section kept its SSRC and got
// the new stream on it, and Chrome dropped every frame of it as older than what it had decoded.
// Now the subscriber hears its tracks again, nothing of the new stream goes out on the old SSRC,
// and its re-offer gets the track on a fresh SSRC.
TEST(SfuTest, APublishersNewConnectionReachesASubscriberOnAFreshSsrc) {
    Room room(0);
    room.join();
    const auto first = room.listener.announcement("sub", 1);
    ASSERT_TRUE(first);
    room.publisher.sendRtp(cameraPacket(7));
    ASSERT_TRUE(room.subscriber.receiveUntil(
        [&](const auto& p) { return isRtpFrom(p, room.subscriberSsrc); }));

    constexpr std::uint32_t kNewCameraSsrc = 0x0CA0CA11;
    UdpMediaPeer again(room.sfu.port());
    const IceCredentials ice{"pubagain", "publisher-again-password-012345"};
    const auto answer = offerAndWait(
        room.sfu, "room", "pub",
        chromeLikeOffer(ice, again.fingerprint(),
                        {{"audio", "0", "sendonly", kMicrophoneSsrc + 16},
                         {"video", "1", "sendonly", kNewCameraSsrc, kNewCameraSsrc + 1}}));
    again.connect(answer.sdp, ice);
    const auto told = room.listener.announcement("sub", 2);
    ASSERT_TRUE(told) << "the subscriber was not told to re-offer";
    EXPECT_EQ(*told, *first);
    for (std::uint16_t s = 500; s < 505; ++s) again.sendRtp(cameraPacket(s, kNewCameraSsrc));
    EXPECT_FALSE(room.subscriber.receiveUntil(
        [&](const auto& p) { return isRtpFrom(p, room.subscriberSsrc); }, 500ms))
        << "the new stream went out on the old SSRC";

    const auto reoffered = offerAndWait(room.sfu, "room", "sub", room.subscriberOffer);
    EXPECT_EQ(reoffered.tracks, room.subscriberAnswer.tracks);
    const auto fresh = declaredSsrcs(reoffered.sdp, "v").first;
    EXPECT_NE(fresh, room.subscriberSsrc);
    again.sendRtp(cameraPacket(505, kNewCameraSsrc));
    EXPECT_TRUE(room.subscriber.receiveUntil([&](const auto& p) { return isRtpFrom(p, fresh); }));
}

TEST(SfuTest, ATransportThatDiesOnItsOwnIsReportedAndRemoved) {
    RecordingListener listener;
    Sfu sfu(Sfu::Options{"127.0.0.1", 0, "127.0.0.1", 1, 0}, listener);
    UdpMediaPeer client(sfu.port());
    // The offer names another certificate than the one the client shows: DTLS fails once the
    // handshake reveals it.
    const TestDtlsClient stranger("SRTP_AEAD_AES_128_GCM");
    const IceCredentials ice{"badufrag", "bad-fingerprint-password-0123"};
    const auto answer = offerAndWait(
        sfu, "room", "peer",
        chromeLikeOffer(ice, stranger.fingerprint(), {{"video", "0", "sendonly", kCameraSsrc}}));
    try {
        client.connect(answer.sdp, ice);
    } catch (const std::runtime_error&) {
        // The server may drop the handshake before the client sees it finish.
    }
    const auto closed = listener.firstClosed();
    ASSERT_TRUE(closed) << "onTransportClosed was not called";
    EXPECT_EQ(*closed, "peer:dtls-failed");
    EXPECT_EQ(statsOf(sfu).producers, 0U) << "its track is gone";
}

TEST(SfuTest, RoomsSpreadOverWorkersEachOnItsOwnPort) {
    RecordingListener listener;
    Sfu sfu(Sfu::Options{"127.0.0.1", 0, "127.0.0.1", 2, 0}, listener);
    std::set<std::string> ports;
    // Enough rooms that both workers get some, whatever the hash.
    for (int room = 0; room < 16; ++room) {
        const TestDtlsClient client("SRTP_AEAD_AES_128_GCM");
        std::promise<std::variant<SfuAnswer, SdpError>> promise;
        auto future = promise.get_future();
        sfu.offer("room-" + std::to_string(room), "peer",
                  chromeLikeOffer({"ufrag" + std::to_string(room), "password-password-password"},
                                  client.fingerprint(), {{"video", "0", "sendonly", kCameraSsrc}}),
                  [&promise](auto result) { promise.set_value(std::move(result)); });
        ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
        const auto answer = std::get<SfuAnswer>(future.get());
        const auto parsed = std::get<SdpOffer>(parseSdpOffer(answer.sdp));
        ports.insert(std::to_string(parsed.media.front().port));
    }
    EXPECT_EQ(ports.size(), 2U) << "each worker answers with its own port";
    const auto stats = statsOf(sfu);
    EXPECT_EQ(stats.rooms, 16U);
    EXPECT_EQ(stats.transports, 16U);
    EXPECT_EQ(stats.producers, 16U);
}

std::variant<SfuAnswer, SdpError> offerResult(Sfu& sfu, const std::string& sdp) {
    std::promise<std::variant<SfuAnswer, SdpError>> promise;
    auto future = promise.get_future();
    sfu.offer("room", "peer", sdp,
              [&promise](auto result) { promise.set_value(std::move(result)); });
    if (future.wait_for(5s) != std::future_status::ready) throw std::runtime_error("no answer");
    return future.get();
}

TEST(SfuTest, ABadOfferIsRefusedWithItsCode) {
    RecordingListener listener;
    Sfu sfu(Sfu::Options{"127.0.0.1", 0, "127.0.0.1", 1, 0}, listener);
    const auto result = offerResult(sfu, "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n");
    ASSERT_TRUE(std::holds_alternative<SdpError>(result));
    const auto stats = statsOf(sfu);
    EXPECT_EQ(stats.transports, 0U);
    EXPECT_EQ(stats.rooms, 0U) << "a refused offer leaves no room behind";
}

// Hostile: an offer with hundreds of m-lines is refused with its code at the limit, and leaves
// nothing behind (no transport, no room).
TEST(SfuTest, AnOfferWithHundredsOfMediaSectionsIsRefusedWithItsCode) {
    RecordingListener listener;
    Sfu sfu(Sfu::Options{"127.0.0.1", 0, "127.0.0.1", 1, 0}, listener);
    const TestDtlsClient client("SRTP_AEAD_AES_128_GCM");
    std::vector<OfferSection> sections;
    for (int i = 0; i < 500; ++i)
        sections.push_back({"video", std::to_string(i), "recvonly", 0, 0, 96, kSubscriberMidId});
    const auto sdp = chromeLikeOffer({"manyufrag", "many-sections-password-0123"},
                                     client.fingerprint(), sections);
    const auto result = offerResult(sfu, sdp);
    ASSERT_TRUE(std::holds_alternative<SdpError>(result));
    EXPECT_EQ(std::get<SdpError>(result).code, SdpErrorCode::tooManyMediaSections);
    const auto stats = statsOf(sfu);
    EXPECT_EQ(stats.transports, 0U);
    EXPECT_EQ(stats.rooms, 0U);
}

// Hostile: datagrams from an address no ICE check validated (RTP-, DTLS- and STUN-looking, the
// STUN naming no ufrag of ours) are dropped, answered with nothing, and counted in the stats.
TEST(SfuTest, DatagramsFromAnUnknownAddressAreDroppedAndCounted) {
    RecordingListener listener;
    Sfu sfu(Sfu::Options{"127.0.0.1", 0, "127.0.0.1", 1, 0}, listener);
    UdpMediaPeer stranger(sfu.port());
    stranger.sendRaw(Bytes(40, 0x80));
    stranger.sendRaw(Bytes(40, 22));
    stranger.sendRaw(stunBindingRequest("nosuchufrag", "x", "password-password-password", true));
    const auto deadline = Clock::now() + 5s;
    SfuStats stats = statsOf(sfu);
    while (stats.droppedUnknownSender < 3 && Clock::now() < deadline) {
        EXPECT_FALSE(stranger.receiveRaw(20ms)) << "a stranger got an answer";
        stats = statsOf(sfu);
    }
    EXPECT_EQ(stats.droppedUnknownSender, 3U);
    EXPECT_EQ(stats.transports, 0U);
}

// Hostile: RTP header extensions with ids nobody negotiated (14 in the one-byte form, 255 in the
// two-byte form) are dropped from what the subscriber gets; the packet itself is forwarded.
TEST(SfuTest, UnnegotiatedExtensionIdsAreNotForwarded) {
    Room room(0);
    room.join();
    const std::uint8_t mid[] = {'1'};
    const std::uint8_t junk[] = {0xde, 0xad};
    const RtpExtensionElement oneByte[] = {{kPublisherMidId, mid}, {14, junk}};
    const RtpExtensionElement twoByte[] = {{kPublisherMidId, mid}, {255, junk}, {200, {}}};
    const Bytes payload = {0x10, 1, 2, 3};
    for (const auto& [sequence, elements] :
         {std::pair{std::uint16_t{500}, std::span<const RtpExtensionElement>(oneByte)},
          std::pair{std::uint16_t{501}, std::span<const RtpExtensionElement>(twoByte)}}) {
        Bytes out(1500);
        out.resize(writeRtpPacket(out, {false, 96, sequence, 90u * sequence, kCameraSsrc, {}},
                                  elements, payload));
        ASSERT_FALSE(out.empty());
        room.publisher.sendRtp(out);
    }
    for (int i = 0; i < 2; ++i) {
        auto packet = room.subscriber.receiveUntil(
            [&](const auto& p) { return isRtpFrom(p, room.subscriberSsrc); });
        ASSERT_TRUE(packet) << "packet " << i << " was not forwarded";
        const auto rtp = RtpPacket::parse(packet->plain);
        std::vector<int> ids;
        rtp->forEachExtension([&](const RtpExtensionElement& e) { ids.push_back(e.id); });
        EXPECT_EQ(ids, std::vector<int>{kSubscriberMidId});
        EXPECT_EQ(rtp->payload().size(), payload.size());
    }
}

// Each transport's lifecycle is logged: created (with room and peer), ICE tuple selected, DTLS
// connected with its SRTP profile, closed with its reason.
TEST(SfuTest, EachTransportsLifecycleIsLogged) {
    obs::Logger logger(obs::LogLevel::info, obs::LogFormat::json);
    testing::internal::CaptureStdout();
    std::string output;
    {
        Room room(0, &logger);
        room.join();
        room.sfu.removePeer("room", "pub");
        // removePeer's task posts the close; a stats call made after the first one returned
        // is queued behind it.
        statsOf(room.sfu);
        statsOf(room.sfu);
        output = testing::internal::GetCapturedStdout();
    }
    const auto lines = [&](const std::string& needle) {
        std::size_t count = 0;
        for (auto at = output.find(needle); at != std::string::npos;
             at = output.find(needle, at + 1))
            ++count;
        return count;
    };
    EXPECT_EQ(lines("\"media transport created\""), 2U) << output;
    EXPECT_EQ(lines("\"room\":\"room\",\"peer\":\"pub\""), 1U) << output;
    EXPECT_EQ(lines("\"media transport ICE tuple selected\""), 2U) << output;
    EXPECT_EQ(lines("\"tuple\":\"127.0.0.1:"), 2U) << output;
    EXPECT_EQ(lines("\"media transport DTLS connected\""), 2U) << output;
    EXPECT_EQ(lines("\"srtpProfile\":\"SRTP_AEAD_AES_128_GCM\""), 2U) << output;
    EXPECT_EQ(lines("\"media transport closed\""), 1U) << output;
    EXPECT_EQ(lines("\"reason\":\"closed\""), 1U) << output;
    EXPECT_EQ(lines("\"rtp"), 0U) << "no line per packet";
}

}  // namespace
}  // namespace pulsemeet::media
