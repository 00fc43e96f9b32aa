#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "media/KeyFrameRequestThrottle.hpp"
#include "media/LayerSelector.hpp"
#include "media/NackGenerator.hpp"
#include "media/RetransmissionBuffer.hpp"
#include "media/RtcpPacket.hpp"
#include "media/RtpPacket.hpp"
#include "media/SdpOffer.hpp"
#include "media/Sfu.hpp"
#include "media/SfuStats.hpp"

// One track a publisher sends to the media server (mediasoup's Producer): one sending section of
// its offer, one SSRC (plus its RTX SSRC), or with simulcast one stream per RID (each with its
// SSRC and RTX SSRC, learnt from the rid/repaired-rid header extensions of the first packets).
// Per stream it decodes the publisher's retransmissions, finds what
// was lost on the way in and NACKs it, asks for key frames (at most one PLI a second), and keeps
// the reception statistics its receiver reports carry. Of video it keeps what it received for 2 s,
// one copy for all its consumers to answer their subscribers' NACKs from. Its consumers register
// themselves; the owner hands them what receive() returns. One media thread; no lock.
namespace pulsemeet::media {

class Consumer;

// A packet as the producer hands it to its consumers: which simulcast layer (stream) it belongs
// to, and whether it starts a key frame (where a consumer may switch to that layer).
struct ProducedPacket {
    RtpPacket packet;
    std::size_t layer = 0;
    bool keyFrame = false;
};

class Producer {
  public:
    using Clock = std::chrono::steady_clock;

    class Listener {
      public:
        virtual ~Listener() = default;
        // RTCP for the publisher (NACK, PLI): goes out on the publisher's transport.
        virtual void onProducerRtcp(Producer& producer, std::span<const std::uint8_t> packet) = 0;
    };

    struct Parameters {
        std::string mid;   // the publisher's section
        std::string kind;  // "audio" or "video"
        TrackSource source = TrackSource::camera;
        std::uint32_t ssrc = 0;
        std::optional<std::uint32_t> rtxSsrc;
        std::vector<SdpCodec> codecs;  // as negotiated: the publisher's payload types, rtx too
        std::vector<SdpExtmap> extmaps;
        std::uint32_t rtcpSenderSsrc = 1;  // the server's SSRC in the feedback it sends
        // Simulcast: the RIDs the publisher sends, lowest layer first ("q", "h", "f"); their
        // SSRCs are learnt from the packets. Empty: one stream on `ssrc`.
        std::vector<std::string> rids;
    };

    // Video keeps 512 packets (about 3 s at 1.5 Mbit/s) for at most 2 s, as mediasoup, for the
    // consumers' retransmissions.
    static constexpr std::size_t kRetransmissionCapacity = 512;
    static constexpr Clock::duration kRetransmissionMaxAge = std::chrono::seconds(2);
    // What a subscriber's bandwidth estimate is trusted for.
    static constexpr Clock::duration kBitrateFreshness = std::chrono::seconds(5);
    // The REMB a publisher gets when no subscriber holds it back: room for three simulcast
    // layers at 720p.
    static constexpr std::uint64_t kUpstreamCap = 2'500'000;

    Producer(Parameters parameters, Listener& listener, SfuStats& stats);
    ~Producer();
    Producer(const Producer&) = delete;
    Producer& operator=(const Producer&) = delete;

    // A packet from the publisher on one of ssrcs(). Returns the media packet to forward (an
    // RTX repair decoded into the producer's own buffer), or nullopt (an empty RTX probe).
    std::optional<ProducedPacket> receive(RtpPacket& packet, Clock::time_point now);
    // A video packet received on a layer (RTX repairs decoded), as consumers were handed it;
    // nullopt when it is older than kRetransmissionMaxAge, was written over, or the layer's
    // stream has another SSRC now.
    std::optional<std::span<const std::uint8_t>> receivedPacket(std::size_t layer,
                                                                std::uint32_t ssrc,
                                                                std::uint16_t sequenceNumber,
                                                                Clock::time_point now) const;
    // The memory its retransmission storage holds now, all layers (RetransmissionBuffer's
    // bytesTouched): a layer that stopped coming gives its storage back after
    // kRetransmissionMaxAge (tick).
    std::size_t retransmissionBytes() const;
    // Simulcast: a packet on an SSRC not known yet. True when its rid (or repaired rid) header
    // extension names one of the RIDs: the SSRC now belongs to that layer (the owner reindexes).
    bool learnSsrc(const RtpPacket& packet);
    // A subscriber needs a key frame of this layer (it joined, switches, or lost sync): PLI,
    // throttled per stream.
    void requestKeyFrame(Clock::time_point now) { requestKeyFrame(0, now); }
    void requestKeyFrame(std::size_t layer, Clock::time_point now);
    // A PLI for this layer now, whatever the throttle says (Consumer::onReceiverKeyFrameRequest).
    void requestKeyFrameNow(std::size_t layer, Clock::time_point now);
    // From the periodic timer: NACKs that are due, a PLI the throttle deferred.
    void tick(Clock::time_point now);
    void onSenderReport(std::uint32_t ssrc, const SenderInfo& info, Clock::time_point now);
    // The receiver-report block for a stream; nullopt before its first packet.
    std::optional<ReportBlock> reportBlock(Clock::time_point now) { return reportBlock(0, now); }
    std::optional<ReportBlock> reportBlock(std::size_t layer, Clock::time_point now);
    // The REMB for this publisher: kUpstreamCap for simulcast; else the lowest share of a
    // congested subscriber, kUpstreamCap when none is congested, nullopt when none has told.
    std::optional<std::uint64_t> bitrateCap(Clock::time_point now) const;
    // A re-offer may renumber codecs and extensions; the stream itself carries on.
    void renegotiate(std::vector<SdpCodec> codecs, std::vector<SdpExtmap> extmaps);

    void addConsumer(Consumer& consumer);
    void removeConsumer(Consumer& consumer);
    std::span<Consumer* const> consumers() const { return consumers_; }

    const Parameters& parameters() const { return parameters_; }
    // Changes when a re-offer renumbered codecs or extensions: consumers built before are stale.
    std::uint64_t generation() const { return generation_; }
    // The first stream's SSRC (0 while a simulcast stream's is not learnt yet).
    std::uint32_t ssrc() const { return streams_.front().ssrc; }
    // Every SSRC known now, media and RTX, for the owner's lookup.
    std::vector<std::uint32_t> ssrcs() const;
    std::uint32_t layerSsrc(std::size_t layer) const { return streams_[layer].ssrc; }
    // Both decided once, at construction: every forwarded packet asks.
    bool isVideo() const { return video_; }
    // The RFC 6464 audio level extension's id in the publisher's packets, if it negotiated one.
    std::optional<std::uint8_t> audioLevelExtensionId() const { return audioLevelId_; }
    bool simulcast() const { return !parameters_.rids.empty(); }
    std::size_t layerCount() const { return streams_.size(); }
    // What the layer choice needs of each layer now.
    std::vector<LayerState> layerStates(Clock::time_point now) const;
    // The simulcast layers someone watches, as last told to the publisher (sfu-encodings).
    std::optional<std::vector<bool>>& announcedActive() { return announcedActive_; }
    // Per layer: since when nobody watches it while it is still announced active.
    std::vector<std::optional<Clock::time_point>>& unwatchedSince() { return unwatchedSince_; }

  private:
    struct ReceptionStats {
        bool started = false;
        std::uint16_t maxSequence = 0;
        std::uint32_t cycles = 0;
        std::uint32_t baseSequence = 0;
        std::uint64_t received = 0;
        std::uint64_t expectedPrior = 0;
        std::uint64_t receivedPrior = 0;
        double jitter = 0;
        std::optional<std::int64_t> lastTransit;
    };

    // One RTP stream (a simulcast layer, or the only one).
    struct Stream {
        std::string rid;
        std::uint32_t ssrc = 0;  // 0: not learnt yet
        std::optional<std::uint32_t> rtxSsrc;
        NackGenerator nacks;
        KeyFrameRequestThrottle keyFrames;
        ReceptionStats reception;
        std::optional<std::uint32_t> lastSenderReport;  // middle 32 bits of its NTP time
        Clock::time_point lastSenderReportAt{};
        Clock::time_point lastPacketAt{};
        std::uint16_t width = 0;  // from its last VP8 key frame
        std::uint16_t height = 0;
        // Bitrate over whole windows of kBitrateWindow.
        std::uint64_t windowBytes = 0;
        Clock::time_point windowStart{};
        std::uint64_t bitrate = 0;
        // Video: what was received, for the consumers' retransmissions (made at its first packet).
        std::optional<RetransmissionBuffer> received;
    };

    std::optional<RtpPacket> decodeRtx(const RtpPacket& packet, const Stream& stream);
    bool account(Stream& stream, const RtpPacket& packet, Clock::time_point now);
    void sendPli(const Stream& stream);
    std::optional<std::size_t> ridOf(const RtpPacket& packet, std::string_view uri) const;

    Parameters parameters_;
    bool video_ = false;
    std::optional<std::uint8_t> audioLevelId_;
    std::uint64_t generation_ = 0;
    Listener& listener_;
    SfuStats& stats_;
    std::vector<Consumer*> consumers_;
    std::vector<Stream> streams_;
    std::optional<std::vector<bool>> announcedActive_;
    std::vector<std::optional<Clock::time_point>> unwatchedSince_;
    std::array<std::uint8_t, 1500> rtxBuffer_{};
    std::array<std::uint8_t, 256> rtcpBuffer_{};
};

// Whether two negotiations give the same payload types and extension ids.
bool sameNegotiation(const std::vector<SdpCodec>& codecsA, const std::vector<SdpExtmap>& extmapsA,
                     const std::vector<SdpCodec>& codecsB, const std::vector<SdpExtmap>& extmapsB);

// Up to out.size() extension elements of a packet, in order; returns how many.
std::size_t collectExtensions(const RtpPacket& packet, std::span<RtpExtensionElement> out);

}  // namespace pulsemeet::media
