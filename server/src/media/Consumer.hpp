#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "media/ForwardedPacketLog.hpp"
#include "media/LayerSelector.hpp"
#include "media/RtcpPacket.hpp"
#include "media/RtpMapping.hpp"
#include "media/RtpPacket.hpp"
#include "media/SeqManager.hpp"
#include "media/SfuStats.hpp"
#include "media/SplitRtpPacket.hpp"
#include "media/Vp8PayloadDescriptor.hpp"

// One publisher track as one subscriber receives it (mediasoup's Consumer): every packet is
// rewritten for the subscriber's section (its SSRC, a gap-free sequence of its own, its payload
// type for the codec, its extension ids, its mid, a fresh abs-send-time) and handed to the listener
// to send; of video, what a NACK needs is kept (the rewritten front here, the rest in the
// producer's one copy of the publisher's packet). Of a video it forwards one layer (a simulcast
// producer has several): the one its LayerSelector picks from the subscriber's view and bandwidth,
// switching only on a key frame of the new layer, and nothing while the subscriber does not show
// the video. A switch continues the sequence numbers (one number left out when the last frame sent
// was incomplete, as mediasoup does), the timestamps (by the time since the last packet) and the
// VP8 picture ids, so the decoder never sees a jump. One media thread; no lock.
namespace pulsemeet::media {

class Producer;
struct ProducedPacket;

class Consumer {
  public:
    using Clock = std::chrono::steady_clock;

    class Listener {
      public:
        virtual ~Listener() = default;
        // Whether the subscriber's transport takes media now; nothing is rewritten before.
        virtual bool consumerReady(const Consumer& consumer) const = 0;
        // A packet to send: the front this consumer wrote, the rest the publisher's bytes.
        virtual void onConsumerRtp(Consumer& consumer, SplitRtpPacket packet) = 0;
    };

    struct Parameters {
        std::string mid;  // the subscriber's section
        std::uint32_t ssrc = 0;
        std::optional<std::uint32_t> rtxSsrc;  // RTX repairs when the section negotiated rtx
        // Read for every packet: beside the SSRC, not behind the 2 KiB of tables (it was one
        // more cold line per forwarded packet).
        unsigned testDropPercent = 0;  // Sfu::Options::testDropPercent
        PayloadTypeMap payloadTypes{};
        ExtensionMap extensions{};
        std::uint16_t firstSequenceNumber = 0;
        std::uint16_t firstRtxSequenceNumber = 0;
    };

    // A NACK repeated sooner than this is not answered twice.
    static constexpr Clock::duration kMinResendInterval = std::chrono::milliseconds(20);

    // Registers with the producer (which hands it packets) until destroyed.
    Consumer(Producer& producer, Parameters parameters, Listener& listener, SfuStats& stats);
    ~Consumer();
    Consumer(const Consumer&) = delete;
    Consumer& operator=(const Consumer&) = delete;

    void forward(const ProducedPacket& produced, Clock::time_point now);
    // Asks the CPU to load what forward() will read first for a packet of this payload type (the
    // front of the object, the payload type's route) while the caller is still busy with the
    // consumer before this one: with hundreds of consumers each of them is cold, and its first
    // load was half of forward()'s samples.
    void prefetch(std::uint8_t payloadType) const;
    // Video: picks the layer to forward from how the subscriber shows it (nullopt: it never
    // said, so the highest) and its bandwidth share; asks for a key frame of a new target.
    void updateLayers(std::optional<ViewSize> view, std::optional<std::uint64_t> estimate,
                      Clock::time_point now, std::optional<std::uint64_t> hardCap = std::nullopt);
    // The layer choice now (for which layers the publisher must keep sending).
    const LayerChoice& layerChoice() const { return choice_; }
    // The layer being forwarded; nullopt before the first key frame or while not shown.
    std::optional<std::size_t> currentLayer() const { return currentLayer_; }
    // The subscriber NACKed one of our sequence numbers: resent as first sent (on the RTX stream
    // when negotiated), or counted in SfuStats::retransmissionsMissed when it cannot be.
    void retransmit(std::uint16_t sequenceNumber, Clock::time_point now);
    // It just started, or its subscriber connected: a key frame from the producer, throttled.
    void requestKeyFrame(Clock::time_point now);
    // The subscriber itself asked for a key frame (PLI/FIR). Its first request passes the
    // producer's one-a-second throttle: the key frame asked for when this consumer started went
    // out while the subscriber was still applying the answer that declares our SSRC, and was
    // dropped; a request from the subscriber means it knows the SSRC now, and waiting out the
    // throttle was most of a new mapping's time to its first picture. Later ones are throttled.
    void onReceiverKeyFrameRequest(Clock::time_point now);
    // A sender report for this stream, if anything was sent; false otherwise.
    bool writeSenderReport(RtcpWriter& writer, Clock::time_point now, std::uint64_t ntpNow) const;
    // What the subscriber's bandwidth estimate (REMB) says of this stream: its share of the
    // estimate, and whether the subscriber is congested (its estimate below what it is sent).
    struct ReceiverEstimate {
        std::uint64_t shareBitsPerSecond = 0;
        bool congested = false;
    };
    void setReceiverEstimate(ReceiverEstimate estimate, Clock::time_point now);
    // The latest one, unless older than Producer::kBitrateFreshness.
    std::optional<ReceiverEstimate> receiverEstimate(Clock::time_point now) const;
    // Last-N and the loudest-audio rule switch a consumer off and on (RoomForwarding). While off
    // nothing is sent; back on, the numbering continues without a gap, and video waits for a key
    // frame (asked for at once) so that the subscriber paints at once.
    void setForwarding(bool forwarding, Clock::time_point now);
    bool forwarding() const { return forwarding_; }

    Producer& producer() const { return producer_; }
    const Parameters& parameters() const { return parameters_; }
    std::uint32_t ssrc() const { return parameters_.ssrc; }
    // The next sequence number this stream would use (to continue it in a new consumer).
    std::uint16_t nextSequenceNumber() const;

  private:
    // Rebuilds a logged packet from its front and the producer's copy and sends it; false when
    // the copy is gone or it cannot be sent.
    bool resend(std::uint16_t sequenceNumber, const ForwardedPacketLog::Entry& entry,
                Clock::time_point now);
    void send(SplitRtpPacket packet);
    // Whether the packet of this layer is forwarded; moves to its layer when it may.
    bool admit(const ProducedPacket& produced);
    // The first packet after setForwarding(true): whether it may go (video: a key frame).
    bool resumesWith(const RtpPacket& packet);

    // What forward() reads or writes for every packet comes first, in a few cache lines: a room
    // has a consumer per subscriber and track, each several KiB with its tables and packet
    // buffers, and with the hot fields spread among those, a forwarded packet touched about
    // fourteen lines of each consumer it went through.
    Producer& producer_;
    Listener& listener_;
    SfuStats& stats_;
    bool forwarding_ = true;
    bool resumePending_ = false;
    bool sentAny_ = false;
    bool syncPending_ = false;    // the next packet forwarded starts another numbering
    bool layerChanged_ = false;   // ... and another stream's timestamps and picture ids
    bool lastSentMarker_ = true;  // the last packet sent ended a frame
    unsigned dropCredit_ = 0;
    std::uint32_t timestampOffset_ = 0;  // input - output
    // For sender reports.
    std::uint32_t lastTimestamp_ = 0;
    std::uint32_t clockRate_ = 0;
    std::uint32_t packetsSent_ = 0;
    std::uint32_t octetsSent_ = 0;
    Clock::time_point lastSentAt_{};
    // Layers (video).
    std::optional<std::size_t> currentLayer_;
    LayerChoice choice_;
    Vp8PictureIdRewriter pictureIds_;
    std::optional<ForwardedPacketLog> forwardedLog_;  // video
    // Initialised from the constructor's argument: parameters_ comes after it.
    SeqManager sequence_;
    // Its mid and SSRC first; its tables are read at one entry per packet.
    Parameters parameters_;
    // Colder: retransmissions, layer selection, the receiver's estimate.
    std::array<std::optional<std::uint8_t>, 128> rtxPayloadTypeFor_{};  // by our payload type
    std::uint16_t rtxSequence_;
    bool receiverAskedBefore_ = false;
    LayerSelector selector_;
    std::array<bool, 128> vp8_{};  // by the publisher's payload type
    std::optional<ReceiverEstimate> receiverEstimate_;
    Clock::time_point receiverEstimateAt_{};
    std::array<std::uint8_t, 1500> buffer_{};
    std::array<std::uint8_t, 1500> rtxPayload_{};
};

}  // namespace pulsemeet::media
