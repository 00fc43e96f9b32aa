#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

// RTP packets (RFC 3550 §5.1) with header extensions (RFC 8285): a parser that works in place on
// the datagram, setters that rewrite it in place (what forwarding does per subscriber), and a
// writer that builds a packet from fields. Nothing here allocates.
namespace pulsemeet::media {

namespace rtp {

constexpr std::size_t kFixedHeaderSize = 12;
constexpr std::uint16_t kOneByteProfile = 0xBEDE;      // RFC 8285 §4.2
constexpr std::uint16_t kTwoByteProfileMask = 0xFFF0;  // 0x100X, RFC 8285 §4.3
constexpr std::uint16_t kTwoByteProfile = 0x1000;
constexpr std::uint8_t kMaxOneByteId = 14;  // 15 is reserved: "stop parsing here"

}  // namespace rtp

enum class RtpExtensionForm : std::uint8_t { none, oneByte, twoByte, other };

struct RtpExtensionElement {
    std::uint8_t id = 0;
    std::span<const std::uint8_t> value;
};

// For each extension id of the publisher's extmap, the subscriber's id for the same URI; 0 drops
// the element.
using RtpExtensionIdMap = std::array<std::uint8_t, 256>;

class RtpPacket {
  public:
    // nullopt unless: version 2, CSRCs, extension block and padding all inside the datagram, and
    // each one- or two-byte extension element inside the block.
    static std::optional<RtpPacket> parse(std::span<std::uint8_t> datagram);

    bool marker() const { return (bytes_[1] & 0x80) != 0; }
    std::uint8_t payloadType() const { return bytes_[1] & 0x7F; }
    std::uint16_t sequenceNumber() const;
    std::uint32_t timestamp() const;
    std::uint32_t ssrc() const;
    std::size_t csrcCount() const { return bytes_[0] & 0x0F; }
    std::uint32_t csrc(std::size_t index) const;

    void setMarker(bool marker);
    void setPayloadType(std::uint8_t payloadType);  // 0..127
    void setSequenceNumber(std::uint16_t sequenceNumber);
    void setTimestamp(std::uint32_t timestamp);
    void setSsrc(std::uint32_t ssrc);

    RtpExtensionForm extensionForm() const { return extensionForm_; }
    std::uint16_t extensionProfile() const;
    // The first element with this id, in one- or two-byte form; nullopt when absent.
    std::optional<std::span<const std::uint8_t>> extension(std::uint8_t id) const;
    // The same, writable (e.g. to stamp abs-send-time at send time).
    std::optional<std::span<std::uint8_t>> mutableExtension(std::uint8_t id);
    // Every element in order (padding skipped); returns how many were visited.
    template <typename Visitor>
    std::size_t forEachExtension(Visitor&& visit) const;
    // Rewrites element ids in place through `map`. An element mapped to 0, or (one-byte form) to
    // an id above 14, becomes padding: the header keeps its size, nothing moves.
    void remapExtensionIds(const RtpExtensionIdMap& map);

    std::size_t headerSize() const { return headerSize_; }
    std::span<const std::uint8_t> payload() const;
    std::size_t paddingSize() const { return paddingSize_; }
    std::span<const std::uint8_t> bytes() const { return bytes_; }

  private:
    RtpPacket() = default;
    std::span<std::uint8_t> extensionData() const;
    std::optional<std::span<std::uint8_t>> findExtension(std::uint8_t id) const;
    // Walks the elements of extensionData(); visit(id, valueOffset, valueLength, headerOffset,
    // headerLength) per element, offsets relative to extensionData(). Stops if visit returns false.
    template <typename Visitor>
    void walkElements(Visitor&& visit) const;

    std::span<std::uint8_t> bytes_;
    std::size_t headerSize_ = 0;       // fixed header + CSRCs + extension block
    std::size_t extensionOffset_ = 0;  // where the extension data starts (after profile/length)
    std::size_t extensionSize_ = 0;
    std::size_t paddingSize_ = 0;
    RtpExtensionForm extensionForm_ = RtpExtensionForm::none;
};

struct RtpHeaderFields {
    bool marker = false;
    std::uint8_t payloadType = 0;
    std::uint16_t sequenceNumber = 0;
    std::uint32_t timestamp = 0;
    std::uint32_t ssrc = 0;
    std::span<const std::uint32_t> csrcs;
};

// Writes a packet into `out`: the one-byte extension form when every element allows it (id 1..14,
// 1..16 bytes), else the two-byte form (id 1..255, 0..255 bytes); elements padded to 32 bits with
// zeros. paddingSize > 0 appends RTP padding (its last byte is the count). Returns the size
// written, or 0 when it does not fit or a field is out of range.
std::size_t writeRtpPacket(std::span<std::uint8_t> out, const RtpHeaderFields& fields,
                           std::span<const RtpExtensionElement> extensions,
                           std::span<const std::uint8_t> payload, std::uint8_t paddingSize = 0);

template <typename Visitor>
void RtpPacket::walkElements(Visitor&& visit) const {
    const auto data = extensionData();
    std::size_t at = 0;
    if (extensionForm_ == RtpExtensionForm::oneByte) {
        while (at < data.size()) {
            const std::uint8_t id = data[at] >> 4;
            if (id == 0) {  // padding byte
                ++at;
                continue;
            }
            if (id == 15) return;  // reserved: the rest is not to be read (RFC 8285 §4.2)
            const std::size_t length = (data[at] & 0x0FU) + 1;
            if (!visit(id, at + 1, length, at, std::size_t{1})) return;
            at += 1 + length;
        }
    } else if (extensionForm_ == RtpExtensionForm::twoByte) {
        while (at < data.size()) {
            const std::uint8_t id = data[at];
            if (id == 0) {
                ++at;
                continue;
            }
            const std::size_t length = data[at + 1];
            if (!visit(id, at + 2, length, at, std::size_t{2})) return;
            at += 2 + length;
        }
    }
}

template <typename Visitor>
std::size_t RtpPacket::forEachExtension(Visitor&& visit) const {
    std::size_t visited = 0;
    const auto data = extensionData();
    walkElements(
        [&](std::uint8_t id, std::size_t valueAt, std::size_t length, std::size_t, std::size_t) {
            ++visited;
            visit(RtpExtensionElement{id, data.subspan(valueAt, length)});
            return true;
        });
    return visited;
}

}  // namespace pulsemeet::media
