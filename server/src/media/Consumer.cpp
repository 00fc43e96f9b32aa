#include "media/Consumer.hpp"

#include <algorithm>
#include <utility>

#include "media/KeyFrame.hpp"
#include "media/Producer.hpp"

namespace pulsemeet::media {

namespace {

constexpr std::size_t kMaxExtensions = 16;

// abs-send-time: 24 bits of seconds in 6.18 fixed point. Only differences matter to the
// receiver, so the steady clock's epoch will do.
std::array<std::uint8_t, 3> absSendTime(Consumer::Clock::time_point now) {
    const auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
    const auto value = static_cast<std::uint32_t>((us << 18) / 1000000) & 0xFFFFFF;
    return {static_cast<std::uint8_t>(value >> 16), static_cast<std::uint8_t>(value >> 8),
            static_cast<std::uint8_t>(value)};
}

}  // namespace

Consumer::Consumer(Producer& producer, Parameters parameters, Listener& listener, SfuStats& stats)
    : producer_(producer),
      listener_(listener),
      stats_(stats),
      sequence_(parameters.firstSequenceNumber),  // before parameters_ is moved in
      parameters_(std::move(parameters)),
      rtxSequence_(parameters_.firstRtxSequenceNumber) {
    if (producer_.isVideo())
        forwardedLog_.emplace(Producer::kRetransmissionCapacity, Producer::kRetransmissionMaxAge);
    for (const auto& codec : producer_.parameters().codecs)
        if (codec.payloadType < 128 && (codec.name == "VP8" || codec.name == "vp8"))
            vp8_[codec.payloadType] = true;
    if (producer_.isVideo()) {
        // Until the subscriber says how it shows the video: the highest layer.
        choice_.desired = choice_.target = producer_.layerCount() - 1;
        if (!producer_.simulcast()) currentLayer_ = 0;
    }
    for (const auto& route : parameters_.payloadTypes) {
        if (route && route->rtxPayloadType && route->payloadType < 128)
            rtxPayloadTypeFor_[route->payloadType] = route->rtxPayloadType;
    }
    producer_.addConsumer(*this);
    ++stats_.forwardedStreams;
}

Consumer::~Consumer() {
    producer_.removeConsumer(*this);
    --stats_.forwardedStreams;
}

std::uint16_t Consumer::nextSequenceNumber() const {
    const auto last = sequence_.lastOutput();
    return last ? static_cast<std::uint16_t>(*last + 1) : parameters_.firstSequenceNumber;
}

bool Consumer::admit(const ProducedPacket& produced) {
    if (!producer_.isVideo()) return true;  // audio always
    if (!choice_.target) return false;      // not shown
    if (currentLayer_ == produced.layer) return true;
    if (produced.layer != *choice_.target) return false;
    // A simulcast layer starts with its key frame; the only stream of a producer at once (the
    // decoder waits for the key frame asked for on resume).
    if (producer_.simulcast() && !produced.keyFrame) return false;
    layerChanged_ = currentLayer_.has_value() || producer_.simulcast();
    currentLayer_ = produced.layer;
    syncPending_ = sentAny_;
    if (syncPending_) pictureIds_.sync();
    return true;
}

void Consumer::updateLayers(std::optional<ViewSize> view, std::optional<std::uint64_t> estimate,
                            Clock::time_point now, std::optional<std::uint64_t> hardCap) {
    if (!producer_.isVideo()) return;
    const auto layers = producer_.layerStates(now);
    choice_ = selector_.choose(layers, view, estimate, now, hardCap);
    if (!choice_.target) {
        // Not shown: stop now; showing it again resumes on the next packet (with a key frame).
        currentLayer_.reset();
        return;
    }
    if (currentLayer_ == choice_.target) return;
    // Switched off by last-N: setForwarding(true) asks for the key frame of the target then.
    if (!forwarding_) return;
    if (!producer_.simulcast()) {
        currentLayer_ = 0;
        syncPending_ = sentAny_;
    }
    producer_.requestKeyFrame(*choice_.target, now);
}

void Consumer::prefetch(std::uint8_t payloadType) const {
    // The hot fields (under 256 bytes: four or five lines, as the object is aligned), the mid
    // and SSRC, the route, and the extension ids a browser uses (one-byte headers: 1 to 14).
    const auto* front = reinterpret_cast<const char*>(this);
    for (std::size_t offset = 0; offset < 320; offset += 64) __builtin_prefetch(front + offset);
    __builtin_prefetch(&parameters_);
    __builtin_prefetch(&parameters_.payloadTypes[payloadType & 0x7F]);
    __builtin_prefetch(&parameters_.extensions[1]);
    __builtin_prefetch(&parameters_.extensions[14]);
    // What forward() writes: the header into buffer_, and the log's entry.
    __builtin_prefetch(buffer_.data(), 1);
    if (forwardedLog_) {
        if (const auto last = sequence_.lastOutput())
            forwardedLog_->prefetchForKeep(static_cast<std::uint16_t>(*last + 1));
    }
}

void Consumer::forward(const ProducedPacket& produced, Clock::time_point now) {
    if (!listener_.consumerReady(*this) || !forwarding_) return;
    if (!admit(produced)) return;
    const auto& packet = produced.packet;
    if (resumePending_ && !resumesWith(packet)) return;
    const auto payload = packet.payload();
    const auto& route = parameters_.payloadTypes[packet.payloadType()];
    if (payload.empty() || !route) {
        // Padding-only probes and codecs the subscriber lacks are not forwarded, and leave no
        // gap the subscriber would take for a loss.
        if (!payload.empty()) ++stats_.unroutable;
        if (!syncPending_) sequence_.drop(packet.sequenceNumber());
        return;
    }
    if (syncPending_) {
        // Another numbering: continue right after the last number sent, one left out when the
        // last video frame sent was not complete so that the decoder does not wait for its end
        // (audio packets are whole frames: no gap).
        sequence_.resync(packet.sequenceNumber(), lastSentMarker_ || !producer_.isVideo() ? 0 : 1);
        if (layerChanged_) {
            // Another stream's timestamps: continue from the last one by the time since.
            const auto elapsedUs =
                std::chrono::duration_cast<std::chrono::microseconds>(now - lastSentAt_).count();
            const auto elapsed = static_cast<std::uint32_t>(
                std::max<std::int64_t>(1, elapsedUs * std::int64_t{route->clockRate} / 1000000));
            timestampOffset_ = packet.timestamp() - (lastTimestamp_ + elapsed);
        }
        syncPending_ = false;
        layerChanged_ = false;
    }
    const auto sequenceNumber = sequence_.forward(packet.sequenceNumber());
    if (!sequenceNumber) return;
    const std::uint32_t timestamp = packet.timestamp() - timestampOffset_;

    const auto stamp = absSendTime(now);
    const std::span<const std::uint8_t> mid(
        reinterpret_cast<const std::uint8_t*>(parameters_.mid.data()), parameters_.mid.size());
    std::array<RtpExtensionElement, kMaxExtensions> elements;
    std::size_t count = 0;
    packet.forEachExtension([&](const RtpExtensionElement& element) {
        const auto& mapping = parameters_.extensions[element.id];
        if (mapping.rewrite == ExtensionRewrite::drop || count == elements.size()) return;
        auto value = element.value;
        if (mapping.rewrite == ExtensionRewrite::mid) value = mid;
        if (mapping.rewrite == ExtensionRewrite::absSendTime) value = stamp;
        elements[count++] = {mapping.id, value};
    });
    std::array<std::uint32_t, 15> csrcs{};
    for (std::size_t i = 0; i < packet.csrcCount(); ++i) csrcs[i] = packet.csrc(i);

    RtpHeaderFields fields;
    fields.marker = packet.marker();
    fields.payloadType = route->payloadType;
    fields.sequenceNumber = *sequenceNumber;
    fields.timestamp = timestamp;
    fields.ssrc = parameters_.ssrc;
    fields.csrcs = std::span<const std::uint32_t>(csrcs).first(packet.csrcCount());
    // The header is written here, and of the payload only what may be rewritten: a VP8
    // descriptor (its picture id), in simulcast. The rest is sealed from where the publisher's
    // packet has it (SplitRtpPacket.hpp).
    const std::size_t rewritable = producer_.simulcast() && vp8_[packet.payloadType()]
                                       ? std::min(payload.size(), kVp8DescriptorMaxSize)
                                       : 0;
    const auto frontSize = writeRtpPacket(buffer_, fields, std::span(elements).first(count),
                                          payload.first(rewritable));
    const auto header = frontSize - rewritable;
    if (frontSize == 0 || header + payload.size() > buffer_.size()) {
        ++stats_.unroutable;
        return;
    }
    std::size_t rewrittenPayload = 0;
    if (rewritable > 0 && pictureIds_.rewrite(std::span(buffer_).subspan(header, rewritable)))
        rewrittenPayload = rewritable;
    const SplitRtpPacket bytes{std::span<const std::uint8_t>(buffer_).first(frontSize),
                               payload.subspan(rewritable)};
    if (forwardedLog_) {
        // The rest is the publisher's packet from where its payload's unrewritten part starts.
        const auto payloadOffset = static_cast<std::size_t>(payload.data() - packet.bytes().data());
        forwardedLog_->keep(*sequenceNumber, bytes, header + rewrittenPayload,
                            {produced.layer, packet.ssrc(), packet.sequenceNumber(),
                             payloadOffset + rewrittenPayload},
                            now);
    }
    sentAny_ = true;
    lastSentMarker_ = packet.marker();
    lastTimestamp_ = timestamp;
    clockRate_ = route->clockRate;
    lastSentAt_ = now;
    ++packetsSent_;
    octetsSent_ += static_cast<std::uint32_t>(payload.size());
    if (parameters_.testDropPercent > 0) {
        // Deterministic: exactly testDropPercent of every 100 packets, evenly spread.
        dropCredit_ += parameters_.testDropPercent;
        if (dropCredit_ >= 100) {
            dropCredit_ -= 100;
            ++stats_.testDropped;
            return;
        }
    }
    send(bytes);
}

void Consumer::setForwarding(bool forwarding, Clock::time_point now) {
    if (forwarding == forwarding_) return;
    forwarding_ = forwarding;
    resumePending_ = forwarding;
    if (forwarding) requestKeyFrame(now);
}

bool Consumer::resumesWith(const RtpPacket& packet) {
    if (producer_.isVideo()) {
        const auto& codecs = producer_.parameters().codecs;
        const auto codec = std::find_if(codecs.begin(), codecs.end(), [&](const SdpCodec& c) {
            return c.payloadType == packet.payloadType();
        });
        if (codec == codecs.end() || !isKeyFrame(codec->name, packet.payload())) return false;
    }
    // Whatever the publisher sent meanwhile is no loss to this subscriber: the numbering (and the
    // VP8 picture ids) continue from the last ones sent. A layer switch on this same key frame
    // (syncPending_) renumbers it its own way.
    resumePending_ = false;
    if (!syncPending_) sequence_.resync(packet.sequenceNumber());
    if (sentAny_) pictureIds_.sync();
    return true;
}

void Consumer::send(SplitRtpPacket packet) {
    listener_.onConsumerRtp(*this, packet);
}

void Consumer::retransmit(std::uint16_t sequenceNumber, Clock::time_point now) {
    if (!forwardedLog_) {
        ++stats_.retransmissionsMissed;  // audio: nothing kept to resend
        return;
    }
    const auto lookup = forwardedLog_->forNack(sequenceNumber, now, kMinResendInterval);
    if (lookup.answeredRecently) return;  // on purpose: resent within one round trip
    if (lookup.entry && resend(sequenceNumber, *lookup.entry, now)) {
        ++stats_.retransmissions;
        return;
    }
    ++stats_.retransmissionsMissed;
}

bool Consumer::resend(std::uint16_t sequenceNumber, const ForwardedPacketLog::Entry& entry,
                      Clock::time_point now) {
    if (!listener_.consumerReady(*this)) return false;
    const auto& source = entry.source;
    const auto received =
        producer_.receivedPacket(source.layer, source.ssrc, source.sequenceNumber, now);
    const auto restSize = entry.size - entry.front.size();
    if (!received || received->size() < source.offset + restSize) return false;
    // The packet as first sent: the front it rewrote, then the rest of the publisher's bytes.
    decltype(buffer_) packet{};
    if (entry.size > packet.size()) return false;
    std::copy(entry.front.begin(), entry.front.end(), packet.begin());
    std::copy_n(received->begin() + static_cast<std::ptrdiff_t>(source.offset), restSize,
                packet.begin() + static_cast<std::ptrdiff_t>(entry.front.size()));
    const auto stored = std::span<const std::uint8_t>(packet).first(entry.size);
    const std::uint8_t payloadType = stored[1] & 0x7F;
    const auto rtxPayloadType = rtxPayloadTypeFor_[payloadType];
    if (!parameters_.rtxSsrc || !rtxPayloadType) {
        send({stored, {}});  // the same bytes on the same SSRC (SRTP allows the repeat)
        return true;
    }
    // RFC 4588: on the RTX stream, the original sequence number ahead of the payload.
    const auto original = RtpPacket::parse(std::span(packet).first(entry.size));
    if (!original) return false;
    const auto payload = original->payload();
    if (payload.size() + 2 > rtxPayload_.size()) return false;
    rtxPayload_[0] = static_cast<std::uint8_t>(sequenceNumber >> 8);
    rtxPayload_[1] = static_cast<std::uint8_t>(sequenceNumber);
    std::copy(payload.begin(), payload.end(), rtxPayload_.begin() + 2);
    std::array<RtpExtensionElement, kMaxExtensions> elements;
    const auto count = collectExtensions(*original, elements);
    RtpHeaderFields fields;
    fields.marker = original->marker();
    fields.payloadType = *rtxPayloadType;
    fields.sequenceNumber = rtxSequence_++;
    fields.timestamp = original->timestamp();
    fields.ssrc = *parameters_.rtxSsrc;
    const auto size =
        writeRtpPacket(buffer_, fields, std::span(elements).first(count),
                       std::span<const std::uint8_t>(rtxPayload_).first(payload.size() + 2));
    if (size == 0) return false;
    send({std::span<const std::uint8_t>(buffer_).first(size), {}});
    return true;
}

void Consumer::requestKeyFrame(Clock::time_point now) {
    if (producer_.isVideo() && !choice_.target) return;  // not shown: no picture to repair
    producer_.requestKeyFrame(choice_.target.value_or(0), now);
}

void Consumer::onReceiverKeyFrameRequest(Clock::time_point now) {
    if (producer_.isVideo() && !choice_.target) return;  // not shown: no picture to repair
    // The layer the subscriber decodes now; before its first picture, the one it waits for.
    const auto layer = currentLayer_.value_or(choice_.target.value_or(0));
    if (receiverAskedBefore_) {
        producer_.requestKeyFrame(layer, now);
        return;
    }
    receiverAskedBefore_ = true;
    producer_.requestKeyFrameNow(layer, now);
}

bool Consumer::writeSenderReport(RtcpWriter& writer, Clock::time_point now,
                                 std::uint64_t ntpNow) const {
    if (!sentAny_) return false;
    // The RTP time that corresponds to now: the last packet's, moved on by the time since.
    const auto elapsedUs =
        std::chrono::duration_cast<std::chrono::microseconds>(now - lastSentAt_).count();
    SenderInfo info;
    info.ntpTimestamp = ntpNow;
    info.rtpTimestamp =
        lastTimestamp_ + static_cast<std::uint32_t>(elapsedUs * std::int64_t{clockRate_} / 1000000);
    info.packetCount = packetsSent_;
    info.octetCount = octetsSent_;
    writer.senderReport(parameters_.ssrc, info, {});
    return true;
}

void Consumer::setReceiverEstimate(ReceiverEstimate estimate, Clock::time_point now) {
    receiverEstimate_ = estimate;
    receiverEstimateAt_ = now;
}

std::optional<Consumer::ReceiverEstimate> Consumer::receiverEstimate(Clock::time_point now) const {
    if (!receiverEstimate_ || now - receiverEstimateAt_ > Producer::kBitrateFreshness)
        return std::nullopt;
    return receiverEstimate_;
}

}  // namespace pulsemeet::media
