#include "media/KeyFrame.hpp"

#include <algorithm>
#include <cstddef>

namespace pulsemeet::media {

namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](char x, char y) { return (x | 0x20) == (y | 0x20); });
}

bool vp8KeyFrame(std::span<const std::uint8_t> payload) {
    if (payload.empty()) return false;
    const std::uint8_t first = payload[0];
    const bool startOfPartition = (first & 0x10) != 0;
    const bool partitionZero = (first & 0x07) == 0;
    if (!startOfPartition || !partitionZero) return false;
    std::size_t at = 1;
    if ((first & 0x80) != 0) {  // X: extension byte
        if (payload.size() <= at) return false;
        const std::uint8_t extension = payload[at++];
        if ((extension & 0x80) != 0) {  // I: picture id, 7 or 15 bits
            if (payload.size() <= at) return false;
            at += (payload[at] & 0x80) != 0 ? 2 : 1;
        }
        if ((extension & 0x40) != 0) ++at;  // L: TL0PICIDX
        if ((extension & 0x30) != 0) ++at;  // T or K: TID/KEYIDX
    }
    // The VP8 payload header: P (inverse key frame flag) is its lowest bit.
    return payload.size() > at && (payload[at] & 0x01) == 0;
}

bool h264KeyNal(std::uint8_t type) {
    return type == 5 || type == 7;  // IDR slice, SPS
}

bool h264KeyFrame(std::span<const std::uint8_t> payload) {
    if (payload.empty()) return false;
    const std::uint8_t type = payload[0] & 0x1F;
    if (type == 24) {  // STAP-A: 16-bit sizes, then the units
        std::size_t at = 1;
        while (at + 2 < payload.size()) {
            const std::size_t size = std::size_t{payload[at]} << 8 | payload[at + 1];
            at += 2;
            if (size == 0 || at + size > payload.size()) return false;
            if (h264KeyNal(payload[at] & 0x1F)) return true;
            at += size;
        }
        return false;
    }
    if (type == 28) {  // FU-A: the start fragment names the unit's type
        return payload.size() > 1 && (payload[1] & 0x80) != 0 && h264KeyNal(payload[1] & 0x1F);
    }
    return h264KeyNal(type);
}

}  // namespace

bool isKeyFrame(std::string_view codecName, std::span<const std::uint8_t> payload) {
    if (equalsIgnoreCase(codecName, "VP8")) return vp8KeyFrame(payload);
    if (equalsIgnoreCase(codecName, "H264")) return h264KeyFrame(payload);
    return false;
}

}  // namespace pulsemeet::media
