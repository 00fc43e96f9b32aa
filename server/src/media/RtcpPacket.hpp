#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

// RTCP (RFC 3550 §6, feedback RFC 4585, FIR RFC 5104, REMB draft-alvestrand-rmcat-remb) as an
// SFU needs it: a compound datagram is checked once (every packet's length inside it), then each
// packet is read through a typed view over the bytes; RtcpWriter builds a compound packet into a
// caller's buffer. Packet types the server does not use (APP, XR, transport-cc, ...) are kept as
// plain views so they can be skipped or passed on byte for byte. Nothing here allocates.
namespace pulsemeet::media {

namespace rtcp {

constexpr std::uint8_t kSenderReport = 200;
constexpr std::uint8_t kReceiverReport = 201;
constexpr std::uint8_t kSourceDescription = 202;
constexpr std::uint8_t kBye = 203;
constexpr std::uint8_t kApp = 204;
constexpr std::uint8_t kRtpFeedback = 205;      // RTPFB
constexpr std::uint8_t kPayloadFeedback = 206;  // PSFB
constexpr std::uint8_t kExtendedReport = 207;

constexpr std::uint8_t kFmtNack = 1;  // RTPFB
constexpr std::uint8_t kFmtPli = 1;   // PSFB
constexpr std::uint8_t kFmtFir = 4;   // PSFB
constexpr std::uint8_t kFmtAfb = 15;  // PSFB application layer feedback: REMB
constexpr std::uint8_t kSdesCname = 1;

constexpr std::size_t kHeaderSize = 4;
constexpr std::size_t kReportBlockSize = 24;
constexpr std::size_t kMaxReportBlocks = 31;

}  // namespace rtcp

// One packet of a compound datagram: the common header and its body (padding excluded).
class RtcpPacketView {
  public:
    RtcpPacketView(std::span<const std::uint8_t> packet, std::size_t paddingSize)
        : packet_(packet), paddingSize_(paddingSize) {}

    std::uint8_t packetType() const { return packet_[1]; }
    // The 5-bit field: report count (SR, RR), source count (SDES, BYE) or FMT (feedback).
    std::uint8_t countOrFormat() const { return packet_[0] & 0x1F; }
    // The whole packet as it came, header and padding included.
    std::span<const std::uint8_t> bytes() const { return packet_; }
    std::span<const std::uint8_t> body() const {
        return packet_.subspan(rtcp::kHeaderSize,
                               packet_.size() - rtcp::kHeaderSize - paddingSize_);
    }

  private:
    std::span<const std::uint8_t> packet_;
    std::size_t paddingSize_;
};

// A compound RTCP datagram whose framing has been checked.
class RtcpCompound {
  public:
    // nullopt unless every packet is version 2, its length fits, the packets fill the datagram
    // exactly, and only the last one is padded (RFC 3550 §6.4.1).
    static std::optional<RtcpCompound> parse(std::span<const std::uint8_t> datagram);

    // Calls visit(RtcpPacketView) for each packet in order; returns how many.
    template <typename Visitor>
    std::size_t forEach(Visitor&& visit) const;

  private:
    explicit RtcpCompound(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
    std::span<const std::uint8_t> bytes_;
};

struct ReportBlock {
    std::uint32_t ssrc = 0;
    std::uint8_t fractionLost = 0;
    std::int32_t cumulativeLost = 0;  // 24-bit signed on the wire
    std::uint32_t extendedHighestSequence = 0;
    std::uint32_t jitter = 0;
    std::uint32_t lastSenderReport = 0;
    std::uint32_t delaySinceLastSenderReport = 0;

    friend bool operator==(const ReportBlock&, const ReportBlock&) = default;
};

struct SenderInfo {
    std::uint64_t ntpTimestamp = 0;
    std::uint32_t rtpTimestamp = 0;
    std::uint32_t packetCount = 0;
    std::uint32_t octetCount = 0;
};

class SenderReportView {
  public:
    static std::optional<SenderReportView> from(const RtcpPacketView& packet);
    std::uint32_t ssrc() const;
    SenderInfo senderInfo() const;
    std::size_t reportCount() const { return reportCount_; }
    ReportBlock reportBlock(std::size_t index) const;

  private:
    SenderReportView(std::span<const std::uint8_t> body, std::size_t count)
        : body_(body), reportCount_(count) {}
    std::span<const std::uint8_t> body_;
    std::size_t reportCount_;
};

class ReceiverReportView {
  public:
    static std::optional<ReceiverReportView> from(const RtcpPacketView& packet);
    std::uint32_t ssrc() const;
    std::size_t reportCount() const { return reportCount_; }
    ReportBlock reportBlock(std::size_t index) const;

  private:
    ReceiverReportView(std::span<const std::uint8_t> body, std::size_t count)
        : body_(body), reportCount_(count) {}
    std::span<const std::uint8_t> body_;
    std::size_t reportCount_;
};

// SDES: the chunks are checked; only CNAME is read (what an SFU needs to pass on or log).
class SdesView {
  public:
    static std::optional<SdesView> from(const RtcpPacketView& packet);
    std::size_t chunkCount() const { return chunkCount_; }
    // Calls visit(ssrc, itemType, value) for every item of every chunk.
    template <typename Visitor>
    void forEachItem(Visitor&& visit) const;
    std::optional<std::string_view> cname(std::uint32_t ssrc) const;

  private:
    SdesView(std::span<const std::uint8_t> body, std::size_t count)
        : body_(body), chunkCount_(count) {}
    std::span<const std::uint8_t> body_;
    std::size_t chunkCount_;
};

class ByeView {
  public:
    static std::optional<ByeView> from(const RtcpPacketView& packet);
    std::size_t ssrcCount() const { return ssrcCount_; }
    std::uint32_t ssrc(std::size_t index) const;
    std::string_view reason() const { return reason_; }

  private:
    ByeView(std::span<const std::uint8_t> body, std::size_t count, std::string_view reason)
        : body_(body), ssrcCount_(count), reason_(reason) {}
    std::span<const std::uint8_t> body_;
    std::size_t ssrcCount_;
    std::string_view reason_;
};

// A Generic NACK item (RFC 4585 §6.2.1): packetId lost, and bit i of lostBitmask set when
// packetId + i + 1 was lost too.
struct NackItem {
    std::uint16_t packetId = 0;
    std::uint16_t lostBitmask = 0;

    friend bool operator==(const NackItem&, const NackItem&) = default;

    template <typename Visitor>
    void forEachLost(Visitor&& visit) const {
        visit(packetId);
        for (unsigned bit = 0; bit < 16; ++bit)
            if ((lostBitmask >> bit) & 1U) visit(static_cast<std::uint16_t>(packetId + bit + 1));
    }
};

// Packs ascending sequence numbers (wrap allowed) into as few NACK items as fit in `out`;
// returns how many items were written. Numbers that do not fit are left out.
std::size_t packNackItems(std::span<const std::uint16_t> ascending, std::span<NackItem> out);

// Common part of RTPFB/PSFB packets (RFC 4585 §6.1).
class FeedbackView {
  public:
    std::uint32_t senderSsrc() const;
    std::uint32_t mediaSsrc() const;

  protected:
    explicit FeedbackView(std::span<const std::uint8_t> body) : body_(body) {}
    std::span<const std::uint8_t> body_;
};

class NackView : public FeedbackView {
  public:
    static std::optional<NackView> from(const RtcpPacketView& packet);
    std::size_t itemCount() const { return (body_.size() - 8) / 4; }
    NackItem item(std::size_t index) const;

  private:
    using FeedbackView::FeedbackView;
};

class PliView : public FeedbackView {
  public:
    static std::optional<PliView> from(const RtcpPacketView& packet);

  private:
    using FeedbackView::FeedbackView;
};

struct FirEntry {
    std::uint32_t ssrc = 0;
    std::uint8_t sequenceNumber = 0;

    friend bool operator==(const FirEntry&, const FirEntry&) = default;
};

class FirView : public FeedbackView {
  public:
    static std::optional<FirView> from(const RtcpPacketView& packet);
    std::size_t entryCount() const { return (body_.size() - 8) / 8; }
    FirEntry entry(std::size_t index) const;

  private:
    using FeedbackView::FeedbackView;
};

class RembView : public FeedbackView {
  public:
    static std::optional<RembView> from(const RtcpPacketView& packet);
    // Bits per second; saturates at UINT64_MAX for exponents no sender uses.
    std::uint64_t bitrate() const;
    std::size_t ssrcCount() const { return body_[12]; }
    std::uint32_t ssrc(std::size_t index) const;

  private:
    using FeedbackView::FeedbackView;
};

// Appends RTCP packets to a caller's buffer. Anything that does not fit, or a field out of range,
// marks the writer failed; bytes() is then empty.
class RtcpWriter {
  public:
    explicit RtcpWriter(std::span<std::uint8_t> buffer) : buffer_(buffer) {}

    RtcpWriter& senderReport(std::uint32_t ssrc, const SenderInfo& info,
                             std::span<const ReportBlock> blocks);
    RtcpWriter& receiverReport(std::uint32_t ssrc, std::span<const ReportBlock> blocks);
    RtcpWriter& sdesCname(std::uint32_t ssrc, std::string_view cname);
    RtcpWriter& bye(std::span<const std::uint32_t> ssrcs, std::string_view reason = {});
    RtcpWriter& nack(std::uint32_t senderSsrc, std::uint32_t mediaSsrc,
                     std::span<const NackItem> items);
    RtcpWriter& pli(std::uint32_t senderSsrc, std::uint32_t mediaSsrc);
    RtcpWriter& fir(std::uint32_t senderSsrc, std::span<const FirEntry> entries);
    RtcpWriter& remb(std::uint32_t senderSsrc, std::uint64_t bitrate,
                     std::span<const std::uint32_t> ssrcs);
    // Copies a packet as it came (a type this server does not interpret).
    RtcpWriter& raw(const RtcpPacketView& packet);

    bool ok() const { return !failed_; }
    std::span<const std::uint8_t> bytes() const;

  private:
    // Starts a packet whose body is bodySize bytes (a multiple of 4); returns where the body
    // goes, or nullopt (writer failed).
    std::optional<std::size_t> begin(std::uint8_t packetType, std::uint8_t countOrFormat,
                                     std::size_t bodySize);
    void writeReportBlock(std::size_t at, const ReportBlock& block);

    std::span<std::uint8_t> buffer_;
    std::size_t size_ = 0;
    bool failed_ = false;
};

template <typename Visitor>
std::size_t RtcpCompound::forEach(Visitor&& visit) const {
    std::size_t at = 0;
    std::size_t count = 0;
    while (at < bytes_.size()) {
        const std::size_t length = 4 * (std::size_t{bytes_[at + 2]} << 8 | bytes_[at + 3]) + 4;
        const bool padded = (bytes_[at] & 0x20) != 0;
        const auto packet = bytes_.subspan(at, length);
        visit(RtcpPacketView(packet, padded ? packet.back() : 0));
        at += length;
        ++count;
    }
    return count;
}

template <typename Visitor>
void SdesView::forEachItem(Visitor&& visit) const {
    std::size_t at = 0;
    for (std::size_t chunk = 0; chunk < chunkCount_; ++chunk) {
        const std::uint32_t ssrc = (std::uint32_t{body_[at]} << 24) |
                                   (std::uint32_t{body_[at + 1]} << 16) |
                                   (std::uint32_t{body_[at + 2]} << 8) | body_[at + 3];
        at += 4;
        while (body_[at] != 0) {
            const std::size_t length = body_[at + 1];
            visit(ssrc, body_[at],
                  std::string_view(reinterpret_cast<const char*>(body_.data() + at + 2), length));
            at += 2 + length;
        }
        at = (at + 4) & ~std::size_t{3};  // the null item, then padding to 32 bits
    }
}

}  // namespace pulsemeet::media
