#include "media/RtpPacket.hpp"

#include <algorithm>

#include "media/BigEndian.hpp"

namespace pulsemeet::media {

namespace {

// Checks that every element of an extension block lies inside it (walkElements then needs no
// bounds checks of its own).
bool elementsFit(std::span<const std::uint8_t> data, RtpExtensionForm form) {
    std::size_t at = 0;
    while (at < data.size()) {
        if (form == RtpExtensionForm::oneByte) {
            const std::uint8_t id = data[at] >> 4;
            if (id == 0) {
                ++at;
                continue;
            }
            if (id == 15) return true;
            const std::size_t length = (data[at] & 0x0FU) + 1;
            if (length > data.size() - at - 1) return false;
            at += 1 + length;
        } else {
            if (data[at] == 0) {
                ++at;
                continue;
            }
            if (data.size() - at < 2) return false;
            const std::size_t length = data[at + 1];
            if (length > data.size() - at - 2) return false;
            at += 2 + length;
        }
    }
    return true;
}

}  // namespace

std::optional<RtpPacket> RtpPacket::parse(std::span<std::uint8_t> datagram) {
    if (datagram.size() < rtp::kFixedHeaderSize || (datagram[0] >> 6) != 2) return std::nullopt;
    RtpPacket packet;
    packet.bytes_ = datagram;
    std::size_t at = rtp::kFixedHeaderSize + 4 * std::size_t{datagram[0] & 0x0FU};
    if (at > datagram.size()) return std::nullopt;
    if ((datagram[0] & 0x10) != 0) {
        if (datagram.size() - at < 4) return std::nullopt;
        const std::uint16_t profile = readU16(datagram, at);
        const std::size_t length = 4 * std::size_t{readU16(datagram, at + 2)};
        at += 4;
        if (length > datagram.size() - at) return std::nullopt;
        packet.extensionOffset_ = at;
        packet.extensionSize_ = length;
        if (profile == rtp::kOneByteProfile) {
            packet.extensionForm_ = RtpExtensionForm::oneByte;
        } else if ((profile & rtp::kTwoByteProfileMask) == rtp::kTwoByteProfile) {
            packet.extensionForm_ = RtpExtensionForm::twoByte;
        } else {
            packet.extensionForm_ = RtpExtensionForm::other;  // kept as is, never read
        }
        if (packet.extensionForm_ != RtpExtensionForm::other &&
            !elementsFit(datagram.subspan(at, length), packet.extensionForm_))
            return std::nullopt;
        at += length;
    }
    packet.headerSize_ = at;
    if ((datagram[0] & 0x20) != 0) {
        // The last byte counts the padding, itself included (RFC 3550 §5.1).
        const std::size_t padding = datagram.back();
        if (padding == 0 || padding > datagram.size() - at) return std::nullopt;
        packet.paddingSize_ = padding;
    }
    return packet;
}

std::uint16_t RtpPacket::sequenceNumber() const {
    return readU16(bytes_, 2);
}
std::uint32_t RtpPacket::timestamp() const {
    return readU32(bytes_, 4);
}
std::uint32_t RtpPacket::ssrc() const {
    return readU32(bytes_, 8);
}

std::uint32_t RtpPacket::csrc(std::size_t index) const {
    return index < csrcCount() ? readU32(bytes_, rtp::kFixedHeaderSize + 4 * index) : 0;
}

void RtpPacket::setMarker(bool marker) {
    bytes_[1] = static_cast<std::uint8_t>((bytes_[1] & 0x7F) | (marker ? 0x80 : 0));
}

void RtpPacket::setPayloadType(std::uint8_t payloadType) {
    bytes_[1] = static_cast<std::uint8_t>((bytes_[1] & 0x80) | (payloadType & 0x7F));
}

void RtpPacket::setSequenceNumber(std::uint16_t sequenceNumber) {
    writeU16(bytes_, 2, sequenceNumber);
}
void RtpPacket::setTimestamp(std::uint32_t timestamp) {
    writeU32(bytes_, 4, timestamp);
}
void RtpPacket::setSsrc(std::uint32_t ssrc) {
    writeU32(bytes_, 8, ssrc);
}

std::uint16_t RtpPacket::extensionProfile() const {
    return extensionForm_ == RtpExtensionForm::none ? 0 : readU16(bytes_, extensionOffset_ - 4);
}

std::span<std::uint8_t> RtpPacket::extensionData() const {
    return bytes_.subspan(extensionOffset_, extensionSize_);
}

std::optional<std::span<std::uint8_t>> RtpPacket::findExtension(std::uint8_t id) const {
    std::optional<std::span<std::uint8_t>> found;
    const auto data = extensionData();
    walkElements([&](std::uint8_t elementId, std::size_t valueAt, std::size_t length, std::size_t,
                     std::size_t) {
        if (elementId != id) return true;
        found = data.subspan(valueAt, length);
        return false;
    });
    return found;
}

std::optional<std::span<std::uint8_t>> RtpPacket::mutableExtension(std::uint8_t id) {
    return findExtension(id);
}

std::optional<std::span<const std::uint8_t>> RtpPacket::extension(std::uint8_t id) const {
    return findExtension(id);
}

void RtpPacket::remapExtensionIds(const RtpExtensionIdMap& map) {
    const auto data = extensionData();
    const bool oneByte = extensionForm_ == RtpExtensionForm::oneByte;
    walkElements([&](std::uint8_t id, std::size_t valueAt, std::size_t length, std::size_t headerAt,
                     std::size_t) {
        const std::uint8_t newId = map[id];
        if (newId == 0 || (oneByte && newId > rtp::kMaxOneByteId)) {
            // Zero bytes are padding in both forms, so the element vanishes in place.
            std::fill_n(data.begin() + static_cast<std::ptrdiff_t>(headerAt),
                        valueAt + length - headerAt, std::uint8_t{0});
        } else if (oneByte) {
            data[headerAt] = static_cast<std::uint8_t>((newId << 4) | (data[headerAt] & 0x0F));
        } else {
            data[headerAt] = newId;
        }
        return true;
    });
}

std::span<const std::uint8_t> RtpPacket::payload() const {
    return bytes_.subspan(headerSize_, bytes_.size() - headerSize_ - paddingSize_);
}

std::size_t writeRtpPacket(std::span<std::uint8_t> out, const RtpHeaderFields& fields,
                           std::span<const RtpExtensionElement> extensions,
                           std::span<const std::uint8_t> payload, std::uint8_t paddingSize) {
    if (fields.payloadType > 127 || fields.csrcs.size() > 15) return 0;
    bool oneByte = true;
    std::size_t elementBytes = 0;
    for (const auto& element : extensions) {
        if (element.id == 0 || element.value.size() > 255) return 0;
        if (element.id > rtp::kMaxOneByteId || element.value.empty() || element.value.size() > 16)
            oneByte = false;
        elementBytes += element.value.size();
    }
    elementBytes += extensions.size() * (oneByte ? 1 : 2);
    const std::size_t extensionBlock = (elementBytes + 3) & ~std::size_t{3};
    if (extensionBlock / 4 > 0xFFFF) return 0;
    const std::size_t headerSize = rtp::kFixedHeaderSize + 4 * fields.csrcs.size() +
                                   (extensions.empty() ? 0 : 4 + extensionBlock);
    const std::size_t total = headerSize + payload.size() + paddingSize;
    if (total > out.size()) return 0;

    out[0] = static_cast<std::uint8_t>(0x80 | (paddingSize > 0 ? 0x20 : 0) |
                                       (extensions.empty() ? 0 : 0x10) | fields.csrcs.size());
    out[1] = static_cast<std::uint8_t>((fields.marker ? 0x80 : 0) | fields.payloadType);
    writeU16(out, 2, fields.sequenceNumber);
    writeU32(out, 4, fields.timestamp);
    writeU32(out, 8, fields.ssrc);
    std::size_t at = rtp::kFixedHeaderSize;
    for (const std::uint32_t csrc : fields.csrcs) {
        writeU32(out, at, csrc);
        at += 4;
    }
    if (!extensions.empty()) {
        writeU16(out, at, oneByte ? rtp::kOneByteProfile : rtp::kTwoByteProfile);
        writeU16(out, at + 2, static_cast<std::uint16_t>(extensionBlock / 4));
        at += 4;
        const std::size_t blockEnd = at + extensionBlock;
        for (const auto& element : extensions) {
            if (oneByte) {
                out[at++] =
                    static_cast<std::uint8_t>((element.id << 4) | (element.value.size() - 1));
            } else {
                out[at++] = element.id;
                out[at++] = static_cast<std::uint8_t>(element.value.size());
            }
            std::copy(element.value.begin(), element.value.end(),
                      out.begin() + static_cast<std::ptrdiff_t>(at));
            at += element.value.size();
        }
        std::fill(out.begin() + static_cast<std::ptrdiff_t>(at),
                  out.begin() + static_cast<std::ptrdiff_t>(blockEnd), std::uint8_t{0});
        at = blockEnd;
    }
    std::copy(payload.begin(), payload.end(), out.begin() + static_cast<std::ptrdiff_t>(at));
    at += payload.size();
    if (paddingSize > 0) {
        std::fill_n(out.begin() + static_cast<std::ptrdiff_t>(at), paddingSize - 1,
                    std::uint8_t{0});
        out[at + paddingSize - 1] = paddingSize;
    }
    return total;
}

}  // namespace pulsemeet::media
