#include "MediaPublisher.hpp"

#include <random>

#include "media/RtcpPacket.hpp"
#include "media/RtpPacket.hpp"

namespace pulsemeet::bench::sfu {

using namespace std::chrono_literals;

namespace {

constexpr auto kAudioInterval = 20ms;
constexpr auto kVideoInterval = std::chrono::microseconds(33'333);

std::uint32_t randomSsrc() {
    static thread_local std::mt19937 random{std::random_device{}()};
    return std::uniform_int_distribution<std::uint32_t>(1, 0xFFFFFFF0U)(random);
}

}  // namespace

MediaPublisher::MediaPublisher(RunTotals& totals, std::size_t index)
    : totals_(totals),
      audioSsrc_(randomSsrc()),
      videoSsrc_(randomSsrc()),
      // Spread the publishers' frames over the frame interval: cameras are not in step.
      offset_(std::chrono::microseconds(index * 7919 % 33'333)) {}

void MediaPublisher::setStamp(std::uint32_t roomTag, std::uint32_t publisherTag) {
    roomTag_ = roomTag;
    publisherTag_ = publisherTag;
}

void MediaPublisher::tick(Clock::time_point now, MediaLink& link) {
    if (link.state() != MediaLink::State::connected) return;
    if (!started_) {
        started_ = true;
        nextVideo_ = now + offset_;
        nextAudio_ = now + offset_ % kAudioInterval;
    }
    while (now >= nextAudio_) {
        auto payload = opusPayload();
        send(link, kOpusPayloadType, audioSsrc_, audioSequence_++, audioTimestamp_, false, payload,
             audioCounter_++, false);
        audioTimestamp_ += 960;
        nextAudio_ += kAudioInterval;
    }
    while (now >= nextVideo_) {
        auto payloads = frames_.nextFrame(keyFrameAsked_);
        keyFrameAsked_ = false;
        for (std::size_t i = 0; i < payloads.size(); ++i)
            send(link, kVp8PayloadType, videoSsrc_, videoSequence_++, videoTimestamp_,
                 i + 1 == payloads.size(), payloads[i], videoCounter_++, true);
        videoTimestamp_ += 3000;
        nextVideo_ += kVideoInterval;
    }
}

void MediaPublisher::send(MediaLink& link, std::uint8_t payloadType, std::uint32_t ssrc,
                          std::uint16_t sequence, std::uint32_t timestamp, bool marker,
                          std::vector<std::uint8_t>& payload, std::uint32_t counter, bool keep) {
    PayloadStamp{roomTag_, publisherTag_, counter, monotonicNanos()}.writeTo(payload);
    const bool audio = ssrc == audioSsrc_;
    const std::uint8_t mid[] = {static_cast<std::uint8_t>(audio ? '0' : '1')};
    const std::uint8_t level[] = {kSpeakingLevel};
    const media::RtpExtensionElement elements[] = {{kMidExtensionId, mid},
                                                   {kAudioLevelExtensionId, level}};
    const auto size =
        media::writeRtpPacket(packetBuffer_, {marker, payloadType, sequence, timestamp, ssrc, {}},
                              std::span(elements).first(audio ? 2 : 1), payload);
    if (size == 0) return;
    const std::span<const std::uint8_t> packet(packetBuffer_.data(), size);
    link.sendRtp(packet);
    ++totals_.published;
    if (keep) {
        auto& slot = sentVideo_[sequence % sentVideo_.size()];
        slot.sequence = sequence;
        slot.bytes.assign(packet.begin(), packet.end());
    }
}

void MediaPublisher::onRtcp(std::span<const std::uint8_t> bytes, MediaLink& link) {
    const auto compound = media::RtcpCompound::parse(bytes);
    if (!compound) return;
    compound->forEach([&](const media::RtcpPacketView& view) {
        if (const auto nack = media::NackView::from(view)) {
            ++totals_.nacksReceived;
            if (nack->mediaSsrc() != videoSsrc_) return;
            for (std::size_t i = 0; i < nack->itemCount(); ++i) {
                nack->item(i).forEachLost([&](std::uint16_t sequence) {
                    const auto& slot = sentVideo_[sequence % sentVideo_.size()];
                    if (slot.sequence != sequence || slot.bytes.empty()) return;
                    link.sendRtp(slot.bytes);
                    ++totals_.retransmitted;
                });
            }
        } else if (media::PliView::from(view) || media::FirView::from(view)) {
            ++totals_.plisReceived;
            keyFrameAsked_ = true;
        }
    });
}

}  // namespace pulsemeet::bench::sfu
