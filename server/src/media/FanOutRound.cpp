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

bool FanOutRound::mayWait(const Producer& producer, const ProducedPacket& packet) const {
    // The packet must be the datagram itself (its SSRC as sent): a retransmission the producer
    // unwrapped lives in the producer's own buffer, which its next one overwrites.
    return open_ && producer.isVideo() && currentIsRtp_ && packet.packet.ssrc() == currentSsrc_;
}

void FanOutRound::forward(Producer& producer, const ProducedPacket& packet,
                          Clock::time_point arrived, ForwardingHistogram& forwarding) {
    if (!mayWait(producer, packet)) {
        flush();  // what waits goes first: no packet overtakes an earlier one
        const Pending now[] = {{packet, arrived}};
        forwardEach(producer.consumers(), now, forwarding);
        return;
    }
    if (!pending_.empty() && (producer_ != &producer || pending_.size() == capacity_)) flush();
    if (pending_.empty()) {
        producer_ = &producer;
        forwarding_ = &forwarding;
        pendingSsrc_ = currentSsrc_;
        pendingFrom_ = currentFrom_;
    }
    pending_.push_back({packet, arrived});
}

void FanOutRound::flush() {
    if (pending_.empty()) return;
    forwardEach(producer_->consumers(), pending_, *forwarding_);
    pending_.clear();
    producer_ = nullptr;
    forwarding_ = nullptr;
}

void FanOutRound::forwardEach(std::span<Consumer* const> consumers,
                              std::span<const Pending> packets, ForwardingHistogram& forwarding) {
    if (consumers.empty() || packets.empty()) return;
    const auto payloadType = packets.front().packet.packet.payloadType();
    for (std::size_t i = 0; i < consumers.size(); ++i) {
        if (i + 1 < consumers.size()) consumers[i + 1]->prefetch(payloadType);
        for (const auto& packet : packets) consumers[i]->forward(packet.packet, packet.arrived);
    }
    const auto now = Clock::now();
    for (const auto& packet : packets) forwarding.observe(now - packet.arrived);
}

}  // namespace pulsemeet::media
