#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "media/KeyFrameRequestThrottle.hpp"
#include "media/NackGenerator.hpp"
#include "media/RtcpPacket.hpp"
#include "media/RtpPacket.hpp"
#include "media/SdpOffer.hpp"
#include "media/Sfu.hpp"
#include "media/SfuStats.hpp"

// One track a publisher sends to the media server (mediasoup's Producer): one sending section of
// its offer, one SSRC (plus its RTX SSRC). It decodes the publisher's retransmissions, finds what
// was lost on the way in and NACKs it, asks for key frames (at most one PLI a second), and keeps
// the reception statistics its receiver reports carry. Its consumers register themselves; the
// owner hands them what receive() returns. One media thread; no lock.
namespace pulsemeet::media {

class Consumer;

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
    };

    // What a subscriber's bandwidth estimate is trusted for.
    static constexpr Clock::duration kBitrateFreshness = std::chrono::seconds(5);

    Producer(Parameters parameters, Listener& listener, SfuStats& stats);
    ~Producer();
    Producer(const Producer&) = delete;
    Producer& operator=(const Producer&) = delete;

    // A packet from the publisher on ssrc() or rtxSsrc(). Returns the media packet to forward
    // (an RTX repair decoded into the producer's own buffer), or nullopt (an empty RTX probe).
    std::optional<RtpPacket> receive(RtpPacket& packet, Clock::time_point now);
    // A subscriber needs a key frame (it joined, or it lost sync): PLI, throttled.
    void requestKeyFrame(Clock::time_point now);
    // A PLI now, whatever the throttle says (Consumer::onReceiverKeyFrameRequest).
    void requestKeyFrameNow(Clock::time_point now);
    // From the periodic timer: NACKs that are due, a PLI the throttle deferred.
    void tick(Clock::time_point now);
    void onSenderReport(const SenderInfo& info, Clock::time_point now);
    // The receiver-report block for this stream; nullopt before the first packet.
    std::optional<ReportBlock> reportBlock(Clock::time_point now);
    // The lowest bitrate one of its (video) consumers' subscribers can take now; nullopt when
    // none has told.
    std::optional<std::uint64_t> bitrateCap(Clock::time_point now) const;
    // A re-offer may renumber codecs and extensions; the stream itself carries on.
    void renegotiate(std::vector<SdpCodec> codecs, std::vector<SdpExtmap> extmaps);

    void addConsumer(Consumer& consumer);
    void removeConsumer(Consumer& consumer);
    std::span<Consumer* const> consumers() const { return consumers_; }

    const Parameters& parameters() const { return parameters_; }
    // Changes when a re-offer renumbered codecs or extensions: consumers built before are stale.
    std::uint64_t generation() const { return generation_; }
    std::uint32_t ssrc() const { return parameters_.ssrc; }
    bool isVideo() const { return parameters_.kind == "video"; }

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

    std::optional<RtpPacket> decodeRtx(const RtpPacket& packet);
    void account(const RtpPacket& packet, Clock::time_point now);
    void sendPli();

    Parameters parameters_;
    std::uint64_t generation_ = 0;
    Listener& listener_;
    SfuStats& stats_;
    std::vector<Consumer*> consumers_;
    NackGenerator nacks_;
    KeyFrameRequestThrottle keyFrames_;
    ReceptionStats reception_;
    std::optional<std::uint32_t> lastSenderReport_;  // middle 32 bits of its NTP time
    Clock::time_point lastSenderReportAt_{};
    std::array<std::uint8_t, 1500> rtxBuffer_{};
    std::array<std::uint8_t, 256> rtcpBuffer_{};
};

// Whether two negotiations give the same payload types and extension ids.
bool sameNegotiation(const std::vector<SdpCodec>& codecsA, const std::vector<SdpExtmap>& extmapsA,
                     const std::vector<SdpCodec>& codecsB, const std::vector<SdpExtmap>& extmapsB);

// Up to out.size() extension elements of a packet, in order; returns how many.
std::size_t collectExtensions(const RtpPacket& packet, std::span<RtpExtensionElement> out);

}  // namespace pulsemeet::media
