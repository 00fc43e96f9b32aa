#include "media/Producer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "media/AudioLevel.hpp"
#include "media/Consumer.hpp"
#include "media/KeyFrame.hpp"
#include "media/RtpMapping.hpp"
#include "media/Vp8PayloadDescriptor.hpp"

namespace pulsemeet::media {

namespace {

// Until receiver reports give one: what a NACK retry waits for.
constexpr auto kAssumedRtt = std::chrono::milliseconds(100);
constexpr std::size_t kMaxExtensions = 16;
// A layer that sent nothing for this long is not live (the publisher paused or dropped it).
constexpr auto kLiveWindow = std::chrono::milliseconds(1500);
constexpr auto kBitrateWindow = std::chrono::seconds(1);
constexpr std::string_view kRidUri = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
constexpr std::string_view kRepairedRidUri =
    "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";

}  // namespace

std::size_t collectExtensions(const RtpPacket& packet, std::span<RtpExtensionElement> out) {
    std::size_t count = 0;
    packet.forEachExtension([&](const RtpExtensionElement& element) {
        if (count < out.size()) out[count++] = element;
    });
    return count;
}

Producer::Producer(Parameters parameters, Listener& listener, SfuStats& stats)
    : parameters_(std::move(parameters)),
      video_(parameters_.kind == "video"),
      audioLevelId_(media::audioLevelExtensionId(parameters_.extmaps)),
      listener_(listener),
      stats_(stats) {
    const std::size_t count = std::max<std::size_t>(1, parameters_.rids.size());
    streams_.resize(count);
    if (parameters_.rids.empty()) {
        streams_.front().ssrc = parameters_.ssrc;
        streams_.front().rtxSsrc = parameters_.rtxSsrc;
    } else {
        for (std::size_t i = 0; i < count; ++i) streams_[i].rid = parameters_.rids[i];
    }
    ++stats_.producers;
}

Producer::~Producer() {
    --stats_.producers;
}

bool sameNegotiation(const std::vector<SdpCodec>& codecsA, const std::vector<SdpExtmap>& extmapsA,
                     const std::vector<SdpCodec>& codecsB, const std::vector<SdpExtmap>& extmapsB) {
    const auto sameCodecs = std::equal(codecsA.begin(), codecsA.end(), codecsB.begin(),
                                       codecsB.end(), [](const SdpCodec& a, const SdpCodec& b) {
                                           return a.payloadType == b.payloadType &&
                                                  a.name == b.name && a.clockRate == b.clockRate &&
                                                  a.channels == b.channels && a.fmtp == b.fmtp;
                                       });
    const auto sameExtmaps = std::equal(
        extmapsA.begin(), extmapsA.end(), extmapsB.begin(), extmapsB.end(),
        [](const SdpExtmap& a, const SdpExtmap& b) { return a.id == b.id && a.uri == b.uri; });
    return sameCodecs && sameExtmaps;
}

void Producer::renegotiate(std::vector<SdpCodec> codecs, std::vector<SdpExtmap> extmaps) {
    if (sameNegotiation(parameters_.codecs, parameters_.extmaps, codecs, extmaps)) return;
    ++generation_;
    parameters_.codecs = std::move(codecs);
    parameters_.extmaps = std::move(extmaps);
    audioLevelId_ = media::audioLevelExtensionId(parameters_.extmaps);
}

void Producer::addConsumer(Consumer& consumer) {
    consumers_.push_back(&consumer);
}

void Producer::removeConsumer(Consumer& consumer) {
    std::erase(consumers_, &consumer);
}

std::vector<std::uint32_t> Producer::ssrcs() const {
    std::vector<std::uint32_t> out;
    for (const auto& stream : streams_) {
        if (stream.ssrc != 0) out.push_back(stream.ssrc);
        if (stream.rtxSsrc) out.push_back(*stream.rtxSsrc);
    }
    return out;
}

std::optional<std::size_t> Producer::ridOf(const RtpPacket& packet, std::string_view uri) const {
    for (const auto& extmap : parameters_.extmaps) {
        if (extmap.uri != uri || extmap.id <= 0 || extmap.id > 255) continue;
        const auto value = packet.extension(static_cast<std::uint8_t>(extmap.id));
        if (!value) return std::nullopt;
        const std::string_view rid(reinterpret_cast<const char*>(value->data()), value->size());
        for (std::size_t i = 0; i < streams_.size(); ++i)
            if (streams_[i].rid == rid) return i;
        return std::nullopt;
    }
    return std::nullopt;
}

bool Producer::learnSsrc(const RtpPacket& packet) {
    if (!simulcast()) return false;
    const auto ssrc = packet.ssrc();
    if (const auto layer = ridOf(packet, kRidUri)) {
        auto& stream = streams_[*layer];
        if (stream.ssrc == ssrc) return false;
        // A new SSRC for the layer (the publisher restarted it): a fresh stream.
        Stream fresh;
        fresh.rid = stream.rid;
        fresh.rtxSsrc = stream.rtxSsrc;
        fresh.ssrc = ssrc;
        stream = std::move(fresh);
        return true;
    }
    if (const auto layer = ridOf(packet, kRepairedRidUri)) {
        auto& stream = streams_[*layer];
        if (stream.rtxSsrc == ssrc) return false;
        stream.rtxSsrc = ssrc;
        return true;
    }
    return false;
}

std::optional<ProducedPacket> Producer::receive(RtpPacket& packet, Clock::time_point now) {
    for (std::size_t layer = 0; layer < streams_.size(); ++layer) {
        auto& stream = streams_[layer];
        std::optional<RtpPacket> media;
        if (stream.rtxSsrc && packet.ssrc() == *stream.rtxSsrc && stream.ssrc != 0) {
            media = decodeRtx(packet, stream);
            if (!media) return std::nullopt;
        } else if (packet.ssrc() == stream.ssrc) {
            media = packet;
        } else {
            continue;
        }
        const bool keyFrame = account(stream, *media, now);
        if (video_) {
            if (!stream.received)
                stream.received.emplace(kRetransmissionCapacity, kRetransmissionMaxAge);
            stream.received->store(media->sequenceNumber(), media->bytes(), now);
        }
        return ProducedPacket{*media, layer, keyFrame};
    }
    return std::nullopt;
}

std::optional<std::span<const std::uint8_t>> Producer::receivedPacket(std::size_t layer,
                                                                      std::uint32_t ssrc,
                                                                      std::uint16_t sequenceNumber,
                                                                      Clock::time_point now) const {
    if (layer >= streams_.size()) return std::nullopt;
    const auto& stream = streams_[layer];
    if (stream.ssrc != ssrc || !stream.received) return std::nullopt;
    return stream.received->find(sequenceNumber, now);
}

// RFC 4588 §4: the RTX payload is the original sequence number, then the original payload.
std::optional<RtpPacket> Producer::decodeRtx(const RtpPacket& packet, const Stream& stream) {
    const auto payload = packet.payload();
    if (payload.size() <= 2) return std::nullopt;  // Chrome's bandwidth probes: padding only
    const auto rtx = std::find_if(
        parameters_.codecs.begin(), parameters_.codecs.end(),
        [&](const SdpCodec& c) { return c.payloadType == packet.payloadType() && isRtxCodec(c); });
    if (rtx == parameters_.codecs.end() || !rtx->repairedPayloadType()) return std::nullopt;
    std::array<RtpExtensionElement, kMaxExtensions> elements;
    const auto count = collectExtensions(packet, elements);
    std::array<std::uint32_t, 15> csrcs{};
    for (std::size_t i = 0; i < packet.csrcCount(); ++i) csrcs[i] = packet.csrc(i);
    RtpHeaderFields fields;
    fields.marker = packet.marker();
    fields.payloadType = *rtx->repairedPayloadType();
    fields.sequenceNumber = static_cast<std::uint16_t>(payload[0] << 8 | payload[1]);
    fields.timestamp = packet.timestamp();
    fields.ssrc = stream.ssrc;
    fields.csrcs = std::span<const std::uint32_t>(csrcs).first(packet.csrcCount());
    const auto size =
        writeRtpPacket(rtxBuffer_, fields, std::span(elements).first(count), payload.subspan(2));
    if (size == 0) return std::nullopt;
    return RtpPacket::parse(std::span(rtxBuffer_).first(size));
}

bool Producer::account(Stream& stream, const RtpPacket& packet, Clock::time_point now) {
    ++stats_.rtpPacketsIn;
    stats_.rtpBytesIn += packet.bytes().size();
    stream.lastPacketAt = now;
    if (now - stream.windowStart >= kBitrateWindow) {
        const auto elapsedMs =
            std::chrono::duration_cast<std::chrono::milliseconds>(now - stream.windowStart).count();
        // A window that ended long ago says nothing about now: start over.
        stream.bitrate = elapsedMs > 0 && now - stream.windowStart < 2 * kBitrateWindow
                             ? stream.windowBytes * 8 * 1000 / static_cast<std::uint64_t>(elapsedMs)
                             : stream.bitrate;
        stream.windowStart = now;
        stream.windowBytes = 0;
    }
    stream.windowBytes += packet.bytes().size();
    const std::uint16_t sequence = packet.sequenceNumber();
    auto& r = stream.reception;
    if (!r.started) {
        r.started = true;
        r.baseSequence = sequence;
        r.maxSequence = sequence;
    } else {
        const auto ahead = static_cast<std::uint16_t>(sequence - r.maxSequence);
        if (ahead != 0 && ahead < 0x8000) {
            if (sequence < r.maxSequence) r.cycles += 0x10000;
            r.maxSequence = sequence;
        }
    }
    ++r.received;

    const auto* codec = [&]() -> const SdpCodec* {
        for (const auto& c : parameters_.codecs)
            if (c.payloadType == packet.payloadType()) return &c;
        return nullptr;
    }();
    if (codec && codec->clockRate > 0) {
        // RFC 3550 A.8: interarrival jitter in timestamp units.
        const auto arrivalUs =
            std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
        const auto arrival =
            static_cast<std::uint32_t>(arrivalUs * std::int64_t{codec->clockRate} / 1000000);
        const auto transit = static_cast<std::int32_t>(arrival - packet.timestamp());
        if (r.lastTransit) {
            const double d = std::abs(static_cast<double>(transit - *r.lastTransit));
            r.jitter += (d - r.jitter) / 16.0;
        }
        r.lastTransit = transit;
    }
    if (!isVideo()) return false;
    if (stream.nacks.onPacket(sequence, now) == NackGenerator::Result::keyFrameNeeded &&
        stream.keyFrames.request(now))
        sendPli(stream);
    if (!codec || !isKeyFrame(codec->name, packet.payload())) return false;
    stream.keyFrames.onKeyFrame();
    if (const auto size = vp8KeyFrameSize(packet.payload());
        size && (codec->name == "VP8" || codec->name == "vp8")) {
        stream.width = size->width;
        stream.height = size->height;
    }
    return true;
}

void Producer::requestKeyFrame(std::size_t layer, Clock::time_point now) {
    if (!isVideo() || layer >= streams_.size()) return;
    auto& stream = streams_[layer];
    if (stream.keyFrames.request(now)) sendPli(stream);
}

std::vector<LayerState> Producer::layerStates(Clock::time_point now) const {
    std::vector<LayerState> states;
    states.reserve(streams_.size());
    for (const auto& stream : streams_) {
        LayerState state;
        state.live = stream.ssrc != 0 && stream.lastPacketAt != Clock::time_point{} &&
                     now - stream.lastPacketAt < kLiveWindow;
        state.width = stream.width;
        state.height = stream.height;
        state.bitrate = stream.bitrate;
        states.push_back(state);
    }
    return states;
}

void Producer::requestKeyFrameNow(std::size_t layer, Clock::time_point now) {
    if (!isVideo() || layer >= streams_.size()) return;
    auto& stream = streams_[layer];
    stream.keyFrames.sentAnyway(now);
    sendPli(stream);
}

void Producer::sendPli(const Stream& stream) {
    if (stream.ssrc == 0) return;
    RtcpWriter writer(rtcpBuffer_);
    writer.pli(parameters_.rtcpSenderSsrc, stream.ssrc);
    if (!writer.ok()) return;
    ++stats_.plisSent;
    listener_.onProducerRtcp(*this, writer.bytes());
}

std::size_t Producer::retransmissionBytes() const {
    std::size_t bytes = 0;
    for (const auto& stream : streams_)
        if (stream.received) bytes += stream.received->bytesTouched();
    return bytes;
}

void Producer::tick(Clock::time_point now) {
    if (!isVideo()) return;
    for (auto& stream : streams_) {
        // A layer the publisher paused (nobody watches it) keeps nothing anyone can ask for.
        if (stream.received) stream.received->releaseIfIdle(now);
        if (stream.keyFrames.poll(now)) sendPli(stream);
        const auto lost = stream.nacks.due(now, kAssumedRtt);
        if (lost.empty() || stream.ssrc == 0) continue;
        std::array<NackItem, 32> items;
        const auto count = packNackItems(lost, items);
        RtcpWriter writer(rtcpBuffer_);
        writer.nack(parameters_.rtcpSenderSsrc, stream.ssrc, std::span(items).first(count));
        if (!writer.ok() || count == 0) continue;
        ++stats_.nacksSent;
        listener_.onProducerRtcp(*this, writer.bytes());
    }
}

void Producer::onSenderReport(std::uint32_t ssrc, const SenderInfo& info, Clock::time_point now) {
    for (auto& stream : streams_) {
        if (stream.ssrc != ssrc || ssrc == 0) continue;
        stream.lastSenderReport = static_cast<std::uint32_t>(info.ntpTimestamp >> 16);
        stream.lastSenderReportAt = now;
    }
}

std::optional<ReportBlock> Producer::reportBlock(std::size_t layer, Clock::time_point now) {
    if (layer >= streams_.size()) return std::nullopt;
    auto& stream = streams_[layer];
    auto& r = stream.reception;
    if (!r.started) return std::nullopt;
    const std::uint64_t extendedMax = std::uint64_t{r.cycles} + r.maxSequence;
    const std::uint64_t expected = extendedMax - r.baseSequence + 1;
    const auto lost = static_cast<std::int64_t>(expected) - static_cast<std::int64_t>(r.received);
    const std::uint64_t expectedInterval = expected - r.expectedPrior;
    const std::uint64_t receivedInterval = r.received - r.receivedPrior;
    r.expectedPrior = expected;
    r.receivedPrior = r.received;
    const auto lostInterval =
        static_cast<std::int64_t>(expectedInterval) - static_cast<std::int64_t>(receivedInterval);
    ReportBlock block;
    block.ssrc = stream.ssrc;
    block.fractionLost =
        expectedInterval == 0 || lostInterval <= 0
            ? 0
            : static_cast<std::uint8_t>(std::min<std::int64_t>(
                  255, (lostInterval << 8) / static_cast<std::int64_t>(expectedInterval)));
    block.cumulativeLost = static_cast<std::int32_t>(
        std::clamp<std::int64_t>(lost, -(std::int64_t{1} << 23), (std::int64_t{1} << 23) - 1));
    block.extendedHighestSequence = static_cast<std::uint32_t>(extendedMax);
    block.jitter = static_cast<std::uint32_t>(r.jitter);
    if (stream.lastSenderReport) {
        block.lastSenderReport = *stream.lastSenderReport;
        const auto delay =
            std::chrono::duration_cast<std::chrono::microseconds>(now - stream.lastSenderReportAt)
                .count();
        block.delaySinceLastSenderReport = static_cast<std::uint32_t>(delay * 65536 / 1000000);
    }
    return block;
}

std::optional<std::uint64_t> Producer::bitrateCap(Clock::time_point now) const {
    // Simulcast: each subscriber gets the layer its own bandwidth takes, so a weak subscriber
    // must not hold the publisher down; the cap only keeps the publisher from growing forever.
    if (simulcast()) return kUpstreamCap;
    // One stream for everyone: a congested subscriber's share holds it down (the lowest one).
    // A subscriber that is not congested does not: a browser's estimate only runs ahead of what
    // it receives by half again, so as a cap it would hold every publisher near its current rate
    // (measured: five pages moving onto the media server at 200 kbit/s each were capped to
    // Chrome's 30 kbit/s minimum within 2 s, every picture at 3-6 frames a second).
    std::optional<std::uint64_t> cap;
    bool heard = false;
    for (const auto* consumer : consumers_) {
        const auto estimate = consumer->receiverEstimate(now);
        if (!estimate) continue;
        heard = true;
        if (estimate->congested && (!cap || estimate->shareBitsPerSecond < *cap))
            cap = estimate->shareBitsPerSecond;
    }
    if (cap) return cap;
    return heard ? std::optional<std::uint64_t>(kUpstreamCap) : std::nullopt;
}

}  // namespace pulsemeet::media
