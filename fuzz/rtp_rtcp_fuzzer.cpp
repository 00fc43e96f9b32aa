// libFuzzer target: a datagram on the media port that the demux calls RTP or RTCP (after SRTP
// would have decrypted it), through the parsers and the per-subscriber rewriting, and its bytes
// as a sequence-number stream through the SeqManager, NackGenerator and RetransmissionBuffer.
// Invariants beyond "no crash, no sanitizer report": a rewritten RTP packet still parses with the
// same layout; an RTCP compound rebuilt from its parsed fields parses again; the NACK list stays
// within its bound.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "media/AudioLevel.hpp"
#include "media/BigEndian.hpp"
#include "media/ForwardedPacketLog.hpp"
#include "media/NackGenerator.hpp"
#include "media/PacketClassifier.hpp"
#include "media/RetransmissionBuffer.hpp"
#include "media/RtcpPacket.hpp"
#include "media/RtpPacket.hpp"
#include "media/SeqManager.hpp"

namespace {

using namespace pulsemeet::media;

void require(bool condition) {
    if (!condition) std::abort();  // a broken invariant: a finding
}

void rtpPacket(std::span<const std::uint8_t> input) {
    std::vector<std::uint8_t> bytes(input.begin(), input.end());
    auto packet = RtpPacket::parse(bytes);
    if (!packet) return;
    const std::size_t headerSize = packet->headerSize();
    const std::size_t payloadSize = packet->payload().size();
    std::size_t total = 0;
    packet->forEachExtension([&](const RtpExtensionElement& e) { total += e.value.size(); });
    require(total <= headerSize);
    for (std::size_t i = 0; i < packet->csrcCount(); ++i) (void)packet->csrc(i);
    // The audio level (RFC 6464) under every id a section could negotiate for it.
    for (std::uint8_t id = 1; id < 15; ++id) {
        if (const auto level = readAudioLevel(*packet, id)) require(level->minusDbov <= 127);
    }

    // Rewrite as forwarding would: a map derived from the packet itself.
    RtpExtensionIdMap map{};
    for (std::size_t id = 0; id < map.size(); ++id)
        map[id] = bytes.empty() ? 0 : static_cast<std::uint8_t>((id * 7 + bytes.back()) % 17);
    packet->remapExtensionIds(map);
    packet->setSsrc(0x01020304);
    packet->setSequenceNumber(static_cast<std::uint16_t>(packet->sequenceNumber() + 1));
    packet->setTimestamp(packet->timestamp() + 3000);
    packet->setPayloadType(static_cast<std::uint8_t>(packet->payloadType() ^ 1));
    packet->setMarker(!packet->marker());
    if (auto stamp = packet->mutableExtension(2)) std::fill(stamp->begin(), stamp->end(), 0xAB);

    auto again = RtpPacket::parse(bytes);
    require(again.has_value());
    require(again->headerSize() == headerSize);
    require(again->payload().size() == payloadSize);
    require(again->ssrc() == 0x01020304);
}

void rtcpCompound(std::span<const std::uint8_t> input) {
    const auto compound = RtcpCompound::parse(input);
    if (!compound) return;
    std::array<std::uint8_t, 4096> out{};
    RtcpWriter writer(out);
    std::vector<ReportBlock> blocks;
    std::vector<NackItem> items;
    std::vector<FirEntry> entries;
    std::vector<std::uint32_t> ssrcs;
    compound->forEach([&](const RtcpPacketView& packet) {
        blocks.clear();
        if (const auto sr = SenderReportView::from(packet)) {
            for (std::size_t i = 0; i < sr->reportCount(); ++i)
                blocks.push_back(sr->reportBlock(i));
            writer.senderReport(sr->ssrc(), sr->senderInfo(), blocks);
        } else if (const auto rr = ReceiverReportView::from(packet)) {
            for (std::size_t i = 0; i < rr->reportCount(); ++i)
                blocks.push_back(rr->reportBlock(i));
            writer.receiverReport(rr->ssrc(), blocks);
        } else if (const auto sdes = SdesView::from(packet)) {
            sdes->forEachItem([&](std::uint32_t ssrc, std::uint8_t type, std::string_view value) {
                if (type == rtcp::kSdesCname) writer.sdesCname(ssrc, value);
            });
        } else if (const auto bye = ByeView::from(packet)) {
            ssrcs.clear();
            for (std::size_t i = 0; i < bye->ssrcCount(); ++i) ssrcs.push_back(bye->ssrc(i));
            writer.bye(ssrcs, bye->reason());
        } else if (const auto nack = NackView::from(packet)) {
            items.clear();
            for (std::size_t i = 0; i < nack->itemCount(); ++i) items.push_back(nack->item(i));
            writer.nack(nack->senderSsrc(), nack->mediaSsrc(), items);
        } else if (const auto pli = PliView::from(packet)) {
            writer.pli(pli->senderSsrc(), pli->mediaSsrc());
        } else if (const auto fir = FirView::from(packet)) {
            entries.clear();
            for (std::size_t i = 0; i < fir->entryCount(); ++i) entries.push_back(fir->entry(i));
            writer.fir(fir->senderSsrc(), entries);
        } else if (const auto remb = RembView::from(packet)) {
            ssrcs.clear();
            for (std::size_t i = 0; i < remb->ssrcCount(); ++i) ssrcs.push_back(remb->ssrc(i));
            writer.remb(remb->senderSsrc(), remb->bitrate(), ssrcs);
        } else if (packet.bytes().size() <= 1500 && (packet.bytes()[0] & 0x20) == 0) {
            writer.raw(packet);
        }
    });
    if (writer.ok() && !writer.bytes().empty())
        require(RtcpCompound::parse(writer.bytes()).has_value());
}

void sequenceNumbers(std::span<const std::uint8_t> input) {
    const auto start = NackGenerator::Clock::now();
    SeqManager seq(1);
    NackGenerator nack;
    RetransmissionBuffer buffer(64, std::chrono::seconds(1));
    ForwardedPacketLog log(64, std::chrono::seconds(1));
    for (std::size_t at = 0; at + 3 <= input.size(); at += 3) {
        const std::uint16_t number = readU16(input, at);
        const std::uint8_t action = input[at + 2];
        const auto now = start + std::chrono::milliseconds(at * 5);
        if (action & 1) {
            seq.drop(number);
        } else if (const auto output = seq.forward(number)) {
            buffer.store(*output, input.subspan(at, 3), now);
            log.keep(*output, {input.subspan(at, 3), {}}, action % 5, {0, number, number, action},
                     now);
        }
        nack.onPacket(number, now);
        require(nack.missingCount() <= NackGenerator::Limits{}.maxListSize);
        if (action & 2) {
            std::array<NackItem, 64> items{};
            const auto due = nack.due(now, std::chrono::milliseconds(action));
            const std::size_t count = packNackItems(due, items);
            for (std::size_t i = 0; i < count; ++i)
                items[i].forEachLost([&](std::uint16_t lost) {
                    (void)buffer.find(lost, now);
                    if (const auto entry = log.forNack(lost, now, std::chrono::milliseconds(20)))
                        require(entry->front.size() <= entry->size && entry->size <= 3);
                });
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> input(data, size);
    const PacketKind kind = classifyPacket(input);
    // Both parsers see every input: the classifier is a hint, and each must stand alone.
    rtpPacket(input);
    rtcpCompound(input);
    if (kind != PacketKind::stun) sequenceNumbers(input);
    return 0;
}
