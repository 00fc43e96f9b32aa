#include "MediaSubscriber.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "media/RtcpPacket.hpp"
#include "media/RtpPacket.hpp"

namespace pulsemeet::bench::sfu {

MediaSubscriber::MediaSubscriber(RunTotals& totals, std::uint32_t roomTag,
                                 std::uint32_t reporterSsrc)
    : totals_(totals), roomTag_(roomTag), reporterSsrc_(reporterSsrc) {}

void MediaSubscriber::expect(std::uint32_t ssrc, std::uint32_t publisherTag) {
    auto& stream = incoming_[ssrc];
    if (stream.expectedPublisherTag == publisherTag) return;
    stream.expectedPublisherTag = publisherTag;
    stream.counter.reset();
}

void MediaSubscriber::onRtp(std::span<std::uint8_t> bytes) {
    const auto packet = media::RtpPacket::parse(bytes);
    if (!packet) return;
    const auto found = incoming_.find(packet->ssrc());
    const auto stamp = PayloadStamp::readFrom(packet->payload());
    if (found == incoming_.end() || !stamp || stamp->roomTag != roomTag_ ||
        stamp->publisherTag != found->second.expectedPublisherTag) {
        ++totals_.misrouted;
        return;
    }
    auto& stream = found->second;
    stream.any = true;
    const auto sequence = packet->sequenceNumber();
    const auto ahead = static_cast<std::int16_t>(sequence - stream.highestSequence);
    if (ahead > 0) {
        if (sequence < stream.highestSequence) ++stream.cycles;
        stream.highestSequence = sequence;
    }
    stream.counter.add(stamp->counter, totals_);
    totals_.latency.add(static_cast<std::int64_t>(monotonicNanos() - stamp->sentNanos) / 1000);
}

void MediaSubscriber::tick(Clock::time_point now, MediaLink& link) {
    if (now < nextReport_ || link.state() != MediaLink::State::connected) return;
    nextReport_ = now + std::chrono::seconds(1);
    sendReceiverReport(link);
}

void MediaSubscriber::sendReceiverReport(MediaLink& link) {
    std::vector<media::ReportBlock> blocks;
    for (const auto& [ssrc, stream] : incoming_) {
        if (!stream.any || blocks.size() == 31) continue;
        media::ReportBlock block;
        block.ssrc = ssrc;
        block.extendedHighestSequence = stream.cycles << 16 | stream.highestSequence;
        block.cumulativeLost =
            static_cast<std::int32_t>(std::min<std::uint64_t>(stream.counter.lost(), 0x7FFFFF));
        blocks.push_back(block);
    }
    if (blocks.empty()) return;
    std::array<std::uint8_t, 1024> buffer{};
    media::RtcpWriter writer(buffer);
    writer.receiverReport(reporterSsrc_, blocks);
    if (writer.ok()) link.sendRtcp(writer.bytes());
}

std::size_t MediaSubscriber::streamsReceiving() const {
    return static_cast<std::size_t>(std::count_if(
        incoming_.begin(), incoming_.end(), [](const auto& entry) { return entry.second.any; }));
}

std::uint64_t MediaSubscriber::lost() const {
    std::uint64_t lost = 0;
    for (const auto& [ssrc, stream] : incoming_) lost += stream.counter.lost();
    return lost;
}

void MediaSubscriber::resetCounters() {
    for (auto& [ssrc, stream] : incoming_) stream.counter.reset();
}

}  // namespace pulsemeet::bench::sfu
