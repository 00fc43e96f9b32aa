#include "media/FanOutRound.hpp"

#include "media/BigEndian.hpp"
#include "media/Consumer.hpp"

namespace pulsemeet::media {

namespace {

constexpr std::size_t kRtpFixedHeader = 12;

// RFC 7983: RTP and RTCP start with version 2; RFC 5761: payload types 192-223 are RTCP's.
bool isRtp(std::span<const std::uint8_t> datagram) {
    if (datagram.size() < kRtpFixedHeader || (datagram[0] & 0xC0) != 0x80) return false;
    return datagram[1] < 192 || datagram[1] > 223;
}

}  // namespace

FanOutRound::FanOutRound(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {
    pending_.reserve(capacity_);
}

void FanOutRound::open() {
    open_ = true;
}

void FanOutRound::close() {
    flush();
    open_ = false;
    currentIsRtp_ = false;
}

void FanOutRound::beforeDatagram(std::span<const std::uint8_t> datagram, const Endpoint& from) {
    currentIsRtp_ = isRtp(datagram);
    currentSsrc_ = currentIsRtp_ ? readU32(datagram, 8) : 0;
    currentFrom_ = from;
    if (pending_.empty()) return;
    if (!currentIsRtp_ || currentSsrc_ != pendingSsrc_ || !(from == pendingFrom_)) flush();
}

bool FanOutRound::defer(Producer& producer, const ProducedPacket& packet, Clock::time_point arrived,
                        ForwardingHistogram& forwarding) {
    // The packet must be the datagram itself (its SSRC as sent): a retransmission the producer
    // unwrapped lives in the producer's own buffer, which its next one overwrites.
    if (!open_ || !producer.isVideo() || !currentIsRtp_ || packet.packet.ssrc() != currentSsrc_)
        return false;
    if (!pending_.empty() && (producer_ != &producer || pending_.size() == capacity_)) flush();
    if (pending_.empty()) {
        producer_ = &producer;
        forwarding_ = &forwarding;
        pendingSsrc_ = currentSsrc_;
        pendingFrom_ = currentFrom_;
    }
    pending_.push_back({packet, arrived});
    return true;
}

void FanOutRound::flush() {
    if (pending_.empty()) return;
    const auto consumers = producer_->consumers();
    const auto payloadType = pending_.front().packet.packet.payloadType();
    for (std::size_t i = 0; i < consumers.size(); ++i) {
        if (i + 1 < consumers.size()) consumers[i + 1]->prefetch(payloadType);
        for (const auto& waiting : pending_) consumers[i]->forward(waiting.packet, waiting.arrived);
    }
    const auto now = Clock::now();
    for (const auto& waiting : pending_) forwarding_->observe(now - waiting.arrived);
    pending_.clear();
    producer_ = nullptr;
    forwarding_ = nullptr;
}

}  // namespace pulsemeet::media
