#include "media/RtcpPacket.hpp"

#include <algorithm>
#include <bit>
#include <limits>

#include "media/BigEndian.hpp"

namespace pulsemeet::media {

namespace {

using namespace rtcp;

constexpr std::uint32_t kRembIdentifier = 0x52454D42;  // "REMB"

ReportBlock readReportBlock(std::span<const std::uint8_t> bytes, std::size_t at) {
    ReportBlock block;
    block.ssrc = readU32(bytes, at);
    block.fractionLost = bytes[at + 4];
    const std::uint32_t lost = readU24(bytes, at + 5);
    // Sign-extend the 24-bit count (it goes negative with duplicates, RFC 3550 §6.4.1).
    block.cumulativeLost = static_cast<std::int32_t>(lost << 8) >> 8;
    block.extendedHighestSequence = readU32(bytes, at + 8);
    block.jitter = readU32(bytes, at + 12);
    block.lastSenderReport = readU32(bytes, at + 16);
    block.delaySinceLastSenderReport = readU32(bytes, at + 20);
    return block;
}

std::optional<std::span<const std::uint8_t>> feedbackBody(const RtcpPacketView& packet,
                                                          std::uint8_t type, std::uint8_t format,
                                                          std::size_t minimumBody) {
    if (packet.packetType() != type || packet.countOrFormat() != format) return std::nullopt;
    const auto body = packet.body();
    if (body.size() < minimumBody) return std::nullopt;
    return body;
}

}  // namespace

std::optional<RtcpCompound> RtcpCompound::parse(std::span<const std::uint8_t> datagram) {
    if (datagram.size() < kHeaderSize) return std::nullopt;
    std::size_t at = 0;
    while (at < datagram.size()) {
        if (datagram.size() - at < kHeaderSize || (datagram[at] >> 6) != 2) return std::nullopt;
        const std::size_t length = 4 * std::size_t{readU16(datagram, at + 2)} + 4;
        if (length > datagram.size() - at) return std::nullopt;
        if ((datagram[at] & 0x20) != 0) {
            // Only the last packet of a compound may be padded, and the count must fit its body.
            const std::size_t padding = datagram[at + length - 1];
            if (at + length != datagram.size() || padding == 0 || padding > length - kHeaderSize)
                return std::nullopt;
        }
        at += length;
    }
    return RtcpCompound(datagram);
}

std::optional<SenderReportView> SenderReportView::from(const RtcpPacketView& packet) {
    if (packet.packetType() != kSenderReport) return std::nullopt;
    const auto body = packet.body();
    const std::size_t count = packet.countOrFormat();
    if (body.size() < 24 + count * kReportBlockSize) return std::nullopt;
    return SenderReportView(body, count);
}

std::uint32_t SenderReportView::ssrc() const {
    return readU32(body_, 0);
}

SenderInfo SenderReportView::senderInfo() const {
    return SenderInfo{readU64(body_, 4), readU32(body_, 12), readU32(body_, 16),
                      readU32(body_, 20)};
}

ReportBlock SenderReportView::reportBlock(std::size_t index) const {
    return index < reportCount_ ? readReportBlock(body_, 24 + index * kReportBlockSize)
                                : ReportBlock{};
}

std::optional<ReceiverReportView> ReceiverReportView::from(const RtcpPacketView& packet) {
    if (packet.packetType() != kReceiverReport) return std::nullopt;
    const auto body = packet.body();
    const std::size_t count = packet.countOrFormat();
    if (body.size() < 4 + count * kReportBlockSize) return std::nullopt;
    return ReceiverReportView(body, count);
}

std::uint32_t ReceiverReportView::ssrc() const {
    return readU32(body_, 0);
}

ReportBlock ReceiverReportView::reportBlock(std::size_t index) const {
    return index < reportCount_ ? readReportBlock(body_, 4 + index * kReportBlockSize)
                                : ReportBlock{};
}

std::optional<SdesView> SdesView::from(const RtcpPacketView& packet) {
    if (packet.packetType() != kSourceDescription) return std::nullopt;
    const auto body = packet.body();
    const std::size_t count = packet.countOrFormat();
    std::size_t at = 0;
    for (std::size_t chunk = 0; chunk < count; ++chunk) {
        if (body.size() - at < 4) return std::nullopt;
        at += 4;
        while (true) {
            if (at >= body.size()) return std::nullopt;
            if (body[at] == 0) break;
            if (body.size() - at < 2 || body[at + 1] > body.size() - at - 2) return std::nullopt;
            at += 2 + body[at + 1];
        }
        at = (at + 4) & ~std::size_t{3};
        if (at > body.size()) return std::nullopt;
    }
    return SdesView(body, count);
}

std::optional<std::string_view> SdesView::cname(std::uint32_t ssrc) const {
    std::optional<std::string_view> found;
    forEachItem([&](std::uint32_t itemSsrc, std::uint8_t type, std::string_view value) {
        if (!found && itemSsrc == ssrc && type == kSdesCname) found = value;
    });
    return found;
}

std::optional<ByeView> ByeView::from(const RtcpPacketView& packet) {
    if (packet.packetType() != kBye) return std::nullopt;
    const auto body = packet.body();
    const std::size_t count = packet.countOrFormat();
    if (body.size() < 4 * count) return std::nullopt;
    std::string_view reason;
    const std::size_t reasonAt = 4 * count;
    if (body.size() > reasonAt) {
        const std::size_t length = body[reasonAt];
        if (length > body.size() - reasonAt - 1) return std::nullopt;
        reason = {reinterpret_cast<const char*>(body.data() + reasonAt + 1), length};
    }
    return ByeView(body, count, reason);
}

std::uint32_t ByeView::ssrc(std::size_t index) const {
    return index < ssrcCount_ ? readU32(body_, 4 * index) : 0;
}

std::size_t packNackItems(std::span<const std::uint16_t> ascending, std::span<NackItem> out) {
    std::size_t written = 0;
    for (const std::uint16_t sequenceNumber : ascending) {
        if (written > 0) {
            NackItem& last = out[written - 1];
            const auto distance = static_cast<std::uint16_t>(sequenceNumber - last.packetId);
            if (distance == 0) continue;
            if (distance <= 16) {
                last.lostBitmask =
                    static_cast<std::uint16_t>(last.lostBitmask | (1U << (distance - 1)));
                continue;
            }
        }
        if (written == out.size()) break;
        out[written++] = NackItem{sequenceNumber, 0};
    }
    return written;
}

std::uint32_t FeedbackView::senderSsrc() const {
    return readU32(body_, 0);
}
std::uint32_t FeedbackView::mediaSsrc() const {
    return readU32(body_, 4);
}

std::optional<NackView> NackView::from(const RtcpPacketView& packet) {
    const auto body = feedbackBody(packet, kRtpFeedback, kFmtNack, 12);
    if (!body || body->size() % 4 != 0) return std::nullopt;
    return NackView(*body);
}

NackItem NackView::item(std::size_t index) const {
    if (index >= itemCount()) return {};
    return NackItem{readU16(body_, 8 + 4 * index), readU16(body_, 10 + 4 * index)};
}

std::optional<PliView> PliView::from(const RtcpPacketView& packet) {
    const auto body = feedbackBody(packet, kPayloadFeedback, kFmtPli, 8);
    if (!body) return std::nullopt;
    return PliView(*body);
}

std::optional<FirView> FirView::from(const RtcpPacketView& packet) {
    const auto body = feedbackBody(packet, kPayloadFeedback, kFmtFir, 16);
    if (!body || (body->size() - 8) % 8 != 0) return std::nullopt;
    return FirView(*body);
}

FirEntry FirView::entry(std::size_t index) const {
    if (index >= entryCount()) return {};
    return FirEntry{readU32(body_, 8 + 8 * index), body_[12 + 8 * index]};
}

std::optional<RembView> RembView::from(const RtcpPacketView& packet) {
    const auto body = feedbackBody(packet, kPayloadFeedback, kFmtAfb, 16);
    if (!body || readU32(*body, 8) != kRembIdentifier) return std::nullopt;
    if (body->size() < 16 + 4 * std::size_t{(*body)[12]}) return std::nullopt;
    return RembView(*body);
}

std::uint64_t RembView::bitrate() const {
    const unsigned exponent = body_[13] >> 2;
    const std::uint64_t mantissa = readU24(body_, 13) & 0x3FFFF;
    if (mantissa != 0 && exponent > static_cast<unsigned>(std::countl_zero(mantissa)))
        return std::numeric_limits<std::uint64_t>::max();
    return mantissa << exponent;
}

std::uint32_t RembView::ssrc(std::size_t index) const {
    return index < ssrcCount() ? readU32(body_, 16 + 4 * index) : 0;
}

std::optional<std::size_t> RtcpWriter::begin(std::uint8_t packetType, std::uint8_t countOrFormat,
                                             std::size_t bodySize) {
    if (failed_ || countOrFormat > 31 || bodySize % 4 != 0 || bodySize / 4 > 0xFFFF ||
        buffer_.size() - size_ < kHeaderSize + bodySize) {
        failed_ = true;
        return std::nullopt;
    }
    buffer_[size_] = static_cast<std::uint8_t>(0x80 | countOrFormat);
    buffer_[size_ + 1] = packetType;
    writeU16(buffer_, size_ + 2, static_cast<std::uint16_t>(bodySize / 4));
    const std::size_t bodyAt = size_ + kHeaderSize;
    size_ = bodyAt + bodySize;
    return bodyAt;
}

void RtcpWriter::writeReportBlock(std::size_t at, const ReportBlock& block) {
    writeU32(buffer_, at, block.ssrc);
    buffer_[at + 4] = block.fractionLost;
    writeU24(buffer_, at + 5, static_cast<std::uint32_t>(block.cumulativeLost) & 0xFFFFFF);
    writeU32(buffer_, at + 8, block.extendedHighestSequence);
    writeU32(buffer_, at + 12, block.jitter);
    writeU32(buffer_, at + 16, block.lastSenderReport);
    writeU32(buffer_, at + 20, block.delaySinceLastSenderReport);
}

RtcpWriter& RtcpWriter::senderReport(std::uint32_t ssrc, const SenderInfo& info,
                                     std::span<const ReportBlock> blocks) {
    if (blocks.size() > kMaxReportBlocks) {
        failed_ = true;
        return *this;
    }
    const auto at = begin(kSenderReport, static_cast<std::uint8_t>(blocks.size()),
                          24 + blocks.size() * kReportBlockSize);
    if (!at) return *this;
    writeU32(buffer_, *at, ssrc);
    writeU64(buffer_, *at + 4, info.ntpTimestamp);
    writeU32(buffer_, *at + 12, info.rtpTimestamp);
    writeU32(buffer_, *at + 16, info.packetCount);
    writeU32(buffer_, *at + 20, info.octetCount);
    for (std::size_t i = 0; i < blocks.size(); ++i)
        writeReportBlock(*at + 24 + i * kReportBlockSize, blocks[i]);
    return *this;
}

RtcpWriter& RtcpWriter::receiverReport(std::uint32_t ssrc, std::span<const ReportBlock> blocks) {
    if (blocks.size() > kMaxReportBlocks) {
        failed_ = true;
        return *this;
    }
    const auto at = begin(kReceiverReport, static_cast<std::uint8_t>(blocks.size()),
                          4 + blocks.size() * kReportBlockSize);
    if (!at) return *this;
    writeU32(buffer_, *at, ssrc);
    for (std::size_t i = 0; i < blocks.size(); ++i)
        writeReportBlock(*at + 4 + i * kReportBlockSize, blocks[i]);
    return *this;
}

RtcpWriter& RtcpWriter::sdesCname(std::uint32_t ssrc, std::string_view cname) {
    if (cname.size() > 255) {
        failed_ = true;
        return *this;
    }
    // ssrc, CNAME item (type, length, text), then at least one null byte up to 32 bits.
    const std::size_t chunk = (4 + 2 + cname.size() + 4) & ~std::size_t{3};
    const auto at = begin(kSourceDescription, 1, chunk);
    if (!at) return *this;
    std::fill_n(buffer_.begin() + static_cast<std::ptrdiff_t>(*at), chunk, std::uint8_t{0});
    writeU32(buffer_, *at, ssrc);
    buffer_[*at + 4] = kSdesCname;
    buffer_[*at + 5] = static_cast<std::uint8_t>(cname.size());
    std::copy(cname.begin(), cname.end(), buffer_.begin() + static_cast<std::ptrdiff_t>(*at + 6));
    return *this;
}

RtcpWriter& RtcpWriter::bye(std::span<const std::uint32_t> ssrcs, std::string_view reason) {
    if (ssrcs.size() > 31 || reason.size() > 255) {
        failed_ = true;
        return *this;
    }
    const std::size_t reasonBytes = reason.empty() ? 0 : (1 + reason.size() + 3) & ~std::size_t{3};
    const auto at =
        begin(kBye, static_cast<std::uint8_t>(ssrcs.size()), 4 * ssrcs.size() + reasonBytes);
    if (!at) return *this;
    for (std::size_t i = 0; i < ssrcs.size(); ++i) writeU32(buffer_, *at + 4 * i, ssrcs[i]);
    if (!reason.empty()) {
        const std::size_t reasonAt = *at + 4 * ssrcs.size();
        std::fill_n(buffer_.begin() + static_cast<std::ptrdiff_t>(reasonAt), reasonBytes,
                    std::uint8_t{0});
        buffer_[reasonAt] = static_cast<std::uint8_t>(reason.size());
        std::copy(reason.begin(), reason.end(),
                  buffer_.begin() + static_cast<std::ptrdiff_t>(reasonAt + 1));
    }
    return *this;
}

RtcpWriter& RtcpWriter::nack(std::uint32_t senderSsrc, std::uint32_t mediaSsrc,
                             std::span<const NackItem> items) {
    if (items.empty()) {
        failed_ = true;
        return *this;
    }
    const auto at = begin(kRtpFeedback, kFmtNack, 8 + 4 * items.size());
    if (!at) return *this;
    writeU32(buffer_, *at, senderSsrc);
    writeU32(buffer_, *at + 4, mediaSsrc);
    for (std::size_t i = 0; i < items.size(); ++i) {
        writeU16(buffer_, *at + 8 + 4 * i, items[i].packetId);
        writeU16(buffer_, *at + 10 + 4 * i, items[i].lostBitmask);
    }
    return *this;
}

RtcpWriter& RtcpWriter::pli(std::uint32_t senderSsrc, std::uint32_t mediaSsrc) {
    if (const auto at = begin(kPayloadFeedback, kFmtPli, 8)) {
        writeU32(buffer_, *at, senderSsrc);
        writeU32(buffer_, *at + 4, mediaSsrc);
    }
    return *this;
}

RtcpWriter& RtcpWriter::fir(std::uint32_t senderSsrc, std::span<const FirEntry> entries) {
    if (entries.empty()) {
        failed_ = true;
        return *this;
    }
    const auto at = begin(kPayloadFeedback, kFmtFir, 8 + 8 * entries.size());
    if (!at) return *this;
    writeU32(buffer_, *at, senderSsrc);
    writeU32(buffer_, *at + 4, 0);  // RFC 5104 §4.3.1.2: media source SSRC unused, zero
    for (std::size_t i = 0; i < entries.size(); ++i) {
        writeU32(buffer_, *at + 8 + 8 * i, entries[i].ssrc);
        writeU32(buffer_, *at + 12 + 8 * i, std::uint32_t{entries[i].sequenceNumber} << 24);
    }
    return *this;
}

RtcpWriter& RtcpWriter::remb(std::uint32_t senderSsrc, std::uint64_t bitrate,
                             std::span<const std::uint32_t> ssrcs) {
    if (ssrcs.size() > 255) {
        failed_ = true;
        return *this;
    }
    unsigned exponent = 0;
    while ((bitrate >> exponent) > 0x3FFFF) ++exponent;
    const auto mantissa = static_cast<std::uint32_t>(bitrate >> exponent);
    const auto at = begin(kPayloadFeedback, kFmtAfb, 16 + 4 * ssrcs.size());
    if (!at) return *this;
    writeU32(buffer_, *at, senderSsrc);
    writeU32(buffer_, *at + 4, 0);  // media source unused: the SSRCs follow
    writeU32(buffer_, *at + 8, kRembIdentifier);
    buffer_[*at + 12] = static_cast<std::uint8_t>(ssrcs.size());
    writeU24(buffer_, *at + 13, (exponent << 18) | mantissa);
    for (std::size_t i = 0; i < ssrcs.size(); ++i) writeU32(buffer_, *at + 16 + 4 * i, ssrcs[i]);
    return *this;
}

RtcpWriter& RtcpWriter::raw(const RtcpPacketView& packet) {
    const auto bytes = packet.bytes();
    if (failed_ || buffer_.size() - size_ < bytes.size()) {
        failed_ = true;
        return *this;
    }
    std::copy(bytes.begin(), bytes.end(), buffer_.begin() + static_cast<std::ptrdiff_t>(size_));
    size_ += bytes.size();
    return *this;
}

std::span<const std::uint8_t> RtcpWriter::bytes() const {
    if (failed_) return {};
    return buffer_.first(size_);
}

}  // namespace pulsemeet::media
