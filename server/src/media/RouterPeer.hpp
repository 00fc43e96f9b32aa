#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "media/AudioLevel.hpp"
#include "media/Consumer.hpp"
#include "media/FanOutRound.hpp"
#include "media/IceLiteServer.hpp"
#include "media/Producer.hpp"
#include "media/SdpAnswer.hpp"
#include "media/SfuStats.hpp"
#include "media/TrackMapping.hpp"
#include "media/TransportCcFeedback.hpp"
#include "media/WebRtcTransport.hpp"

// One client in a room on the media server (mediasoup's Transport with its producers and
// consumers): its WebRtcTransport, the tracks it sends (one Producer per sending section) and
// the tracks it receives (one Consumer per mapped recvonly section). It terminates the client's
// RTCP itself (NACK, PLI/FIR and REMB for its consumers, SR for its producers) and sends its
// reports; what concerns the room (offers, who receives what) is the Router's. One media
// thread; no lock.
namespace pulsemeet::media {

class RouterPeer final : public Producer::Listener, public Consumer::Listener {
  public:
    using Clock = std::chrono::steady_clock;

    class Listener {
      public:
        virtual ~Listener() = default;
        virtual void onPeerConnected(RouterPeer& peer) = 0;
        // The audio level (RFC 6464) in one of the peer's microphone packets.
        virtual void onAudioLevel(RouterPeer& /*peer*/, AudioLevel /*level*/,
                                  Clock::time_point /*now*/) {}
    };

    // The publisher stream a slot's numbering continues: its connection and SSRC. Another one
    // (the publisher came back on a new connection, or sends on a new SSRC) starts its RTP
    // timestamps and VP8 picture ids elsewhere; continued on the same SSRC, the subscriber's
    // decoder takes its frames for old ones and drops them (Chrome: "frame id jump").
    struct StreamOrigin {
        std::uint64_t transportId = 0;
        std::uint32_t ssrc = 0;
        friend bool operator==(const StreamOrigin&, const StreamOrigin&) = default;
    };

    // A recvonly section that carries a publisher's track, and its consumer while that track's
    // producer exists.
    struct ReceiveSlot {
        std::string mid;
        TrackKey key;
        std::uint32_t ssrc = 0;
        std::uint32_t rtxSsrc = 0;
        std::uint16_t nextSequenceNumber = 0;  // where a new consumer continues the numbering
        std::optional<SdpNegotiatedSection> section;
        std::unique_ptr<Consumer> consumer;
        std::uint64_t producerGeneration = 0;  // of the producer the consumer was built for
        std::optional<StreamOrigin> origin;    // set by its first consumer
    };

    struct Connection {
        std::uint64_t transportId = 0;
        WebRtcTransport* transport = nullptr;  // null once closed
        IceCredentials local;
        std::string remoteUfrag;
        SdpFingerprint remoteFingerprint;
    };

    // `fanOut`: the worker's round, where the peer's video packets wait to be forwarded
    // subscriber by subscriber (FanOutRound.hpp).
    RouterPeer(std::string id, std::uint32_t rtcpSsrc, std::uint64_t sessionId, Listener& listener,
               SfuStats& stats, FanOutRound& fanOut);
    ~RouterPeer() override;
    RouterPeer(const RouterPeer&) = delete;
    RouterPeer& operator=(const RouterPeer&) = delete;

    // What the media worker calls for this peer's transport; silent once the peer is gone.
    std::shared_ptr<WebRtcTransportListener> transportListener() const;

    const std::string& id() const { return id_; }
    Connection& connection() { return connection_; }
    bool connected() const;
    // Closed on its own (consent lost, DTLS failed, ...): the router removes the peer.
    std::optional<WebRtcTransport::CloseReason> closedReason() const { return closedReason_; }
    // The owner closes the transport: stop hearing it and count what it counted.
    void detachTransport();

    std::map<std::string, std::unique_ptr<Producer>>& producers() { return producers_; }
    std::map<std::string, TrackSource>& sources() { return sources_; }
    std::vector<ReceiveSlot>& slots() { return slots_; }
    std::vector<AvailableTrack>& announced() { return announced_; }
    std::uint32_t& sessionVersion() { return sessionVersion_; }
    std::uint64_t sessionId() const { return sessionId_; }
    Producer* producerFor(TrackSource source) const;
    // After producers or consumers changed: the SSRC lookups of the packet path.
    void reindex();
    void clearConsumers();

    void tick(Clock::time_point now, std::uint64_t ntpNow);
    // How this subscriber shows each remote video (sfu-view); before the first, every video is
    // shown at its highest layer.
    void setViews(std::vector<SfuView> views) { views_ = std::move(views); }
    // Test-only (Sfu::Options::testBandwidthCap): this subscriber's bandwidth estimate is never
    // taken above this many bits/s.
    void setTestBandwidthCap(std::optional<std::uint64_t> bitsPerSecond) {
        testBandwidthCap_ = bitsPerSecond;
    }
    std::uint64_t srtpFailures() const;

    // Producer::Listener, Consumer::Listener
    void onProducerRtcp(Producer& producer, std::span<const std::uint8_t> packet) override;
    bool consumerReady(const Consumer& consumer) const override;
    void onConsumerRtp(Consumer& consumer, SplitRtpPacket packet) override;

  private:
    class TransportEvents;

    void onRtp(std::span<std::uint8_t> packet);
    void onRtcp(std::span<const std::uint8_t> packet);
    void onTransportState(WebRtcTransport& transport);
    void sendReports(Clock::time_point now, std::uint64_t ntpNow);
    void sendTransportCcFeedback(Clock::time_point now);
    Consumer* consumerBySsrc(std::uint32_t ssrc) const;
    // A simulcast stream's first packets: the producer whose RIDs name it learns its SSRC.
    Producer* learnSsrc(const RtpPacket& packet);
    // Each video consumer's layer, from the view and the bandwidth share.
    void updateLayers(Clock::time_point now);
    // The video streams this subscriber is forwarded now, and their bitrate summed.
    struct VideoForwarded {
        std::size_t streams = 0;
        std::uint64_t bitsPerSecond = 0;
    };
    VideoForwarded videoForwarded(Clock::time_point now) const;
    // A consumer's part of the subscriber's estimate.
    static std::uint64_t shareOf(std::uint64_t estimate, const Consumer& consumer,
                                 const VideoForwarded& forwarded, Clock::time_point now);
    std::optional<ViewSize> viewOf(const TrackKey& key) const;

    std::string id_;
    std::uint32_t rtcpSsrc_;
    Listener& listener_;
    SfuStats& stats_;
    FanOutRound& fanOut_;
    std::shared_ptr<TransportEvents> events_;
    Connection connection_;
    std::optional<WebRtcTransport::CloseReason> closedReason_;
    std::map<std::string, std::unique_ptr<Producer>> producers_;  // by the peer's mid
    std::map<std::string, TrackSource> sources_;
    std::vector<ReceiveSlot> slots_;                               // in the offer's order
    std::unordered_map<std::uint32_t, Producer*> producerBySsrc_;  // media and RTX SSRCs
    std::unordered_map<std::uint32_t, Consumer*> consumerBySsrc_;
    std::vector<AvailableTrack> announced_;
    std::uint32_t sessionVersion_ = 0;
    std::uint64_t sessionId_;
    Clock::time_point nextReport_{};
    // Transport-wide congestion control feedback for what the peer sends (its send-side
    // estimate); the header extension's id in its offer, nullopt when it did not negotiate it.
    TransportCcFeedback transportCc_;
    std::optional<std::uint8_t> transportCcId_;
    Clock::time_point nextLayerUpdate_{};
    std::optional<std::vector<SfuView>> views_;
    std::optional<std::uint64_t> testBandwidthCap_;
    std::optional<std::uint64_t> remb_;  // the subscriber's latest estimate
    Clock::time_point rembAt_{};
    std::uint64_t closedSrtpFailures_ = 0;
};

}  // namespace pulsemeet::media
