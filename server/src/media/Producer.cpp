#include "media/Producer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "media/Consumer.hpp"
#include "media/KeyFrame.hpp"
#include "media/RtpMapping.hpp"

namespace pulsemeet::media {

namespace {

// Until receiver reports give one: what a NACK retry waits for.
constexpr auto kAssumedRtt = std::chrono::milliseconds(100);
constexpr std::size_t kMaxExtensions = 16;

}  // namespace

std::size_t collectExtensions(const RtpPacket& packet, std::span<RtpExtensionElement> out) {
    std::size_t count = 0;
    packet.forEachExtension([&](const RtpExtensionElement& element) {
        if (count < out.size()) out[count++] = element;
    });
    return count;
}

Producer::Producer(Parameters parameters, Listener& listener, SfuStats& stats)
    : parameters_(std::move(parameters)), listener_(listener), stats_(stats) {
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
}

void Producer::addConsumer(Consumer& consumer) {
    consumers_.push_back(&consumer);
}

void Producer::removeConsumer(Consumer& consumer) {
    std::erase(consumers_, &consumer);
}

std::optional<RtpPacket> Producer::receive(RtpPacket& packet, Clock::time_point now) {
    std::optional<RtpPacket> media;
    if (parameters_.rtxSsrc && packet.ssrc() == *parameters_.rtxSsrc) {
        media = decodeRtx(packet);
        if (!media) return std::nullopt;
    } else {
        media = packet;
    }
    account(*media, now);
    return media;
}

// RFC 4588 §4: the RTX payload is the original sequence number, then the original payload.
std::optional<RtpPacket> Producer::decodeRtx(const RtpPacket& packet) {
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
    fields.ssrc = parameters_.ssrc;
    fields.csrcs = std::span<const std::uint32_t>(csrcs).first(packet.csrcCount());
    const auto size =
        writeRtpPacket(rtxBuffer_, fields, std::span(elements).first(count), payload.subspan(2));
    if (size == 0) return std::nullopt;
    return RtpPacket::parse(std::span(rtxBuffer_).first(size));
}

void Producer::account(const RtpPacket& packet, Clock::time_point now) {
    ++stats_.rtpPacketsIn;
    stats_.rtpBytesIn += packet.bytes().size();
    const std::uint16_t sequence = packet.sequenceNumber();
    auto& r = reception_;
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
    if (!isVideo()) return;
    if (nacks_.onPacket(sequence, now) == NackGenerator::Result::keyFrameNeeded)
        requestKeyFrame(now);
    if (codec && isKeyFrame(codec->name, packet.payload())) keyFrames_.onKeyFrame();
}

void Producer::requestKeyFrame(Clock::time_point now) {
    if (isVideo() && keyFrames_.request(now)) sendPli();
}

void Producer::requestKeyFrameNow(Clock::time_point now) {
    if (!isVideo()) return;
    keyFrames_.sentAnyway(now);
    sendPli();
}

void Producer::sendPli() {
    RtcpWriter writer(rtcpBuffer_);
    writer.pli(parameters_.rtcpSenderSsrc, parameters_.ssrc);
    if (!writer.ok()) return;
    ++stats_.plisSent;
    listener_.onProducerRtcp(*this, writer.bytes());
}

void Producer::tick(Clock::time_point now) {
    if (!isVideo()) return;
    if (keyFrames_.poll(now)) sendPli();
    const auto lost = nacks_.due(now, kAssumedRtt);
    if (lost.empty()) return;
    std::array<NackItem, 32> items;
    const auto count = packNackItems(lost, items);
    RtcpWriter writer(rtcpBuffer_);
    writer.nack(parameters_.rtcpSenderSsrc, parameters_.ssrc, std::span(items).first(count));
    if (!writer.ok() || count == 0) return;
    ++stats_.nacksSent;
    listener_.onProducerRtcp(*this, writer.bytes());
}

void Producer::onSenderReport(const SenderInfo& info, Clock::time_point now) {
    lastSenderReport_ = static_cast<std::uint32_t>(info.ntpTimestamp >> 16);
    lastSenderReportAt_ = now;
}

std::optional<ReportBlock> Producer::reportBlock(Clock::time_point now) {
    auto& r = reception_;
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
    block.ssrc = parameters_.ssrc;
    block.fractionLost =
        expectedInterval == 0 || lostInterval <= 0
            ? 0
            : static_cast<std::uint8_t>(std::min<std::int64_t>(
                  255, (lostInterval << 8) / static_cast<std::int64_t>(expectedInterval)));
    block.cumulativeLost = static_cast<std::int32_t>(
        std::clamp<std::int64_t>(lost, -(std::int64_t{1} << 23), (std::int64_t{1} << 23) - 1));
    block.extendedHighestSequence = static_cast<std::uint32_t>(extendedMax);
    block.jitter = static_cast<std::uint32_t>(r.jitter);
    if (lastSenderReport_) {
        block.lastSenderReport = *lastSenderReport_;
        const auto delay =
            std::chrono::duration_cast<std::chrono::microseconds>(now - lastSenderReportAt_)
                .count();
        block.delaySinceLastSenderReport = static_cast<std::uint32_t>(delay * 65536 / 1000000);
    }
    return block;
}

std::optional<std::uint64_t> Producer::bitrateCap(Clock::time_point now) const {
    std::optional<std::uint64_t> cap;
    for (const auto* consumer : consumers_) {
        const auto share = consumer->availableBitrate(now);
        if (share && (!cap || *share < *cap)) cap = share;
    }
    return cap;
}

}  // namespace pulsemeet::media
