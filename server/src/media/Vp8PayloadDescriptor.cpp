#include "media/Vp8PayloadDescriptor.hpp"

namespace pulsemeet::media {

std::optional<Vp8PayloadDescriptor> parseVp8PayloadDescriptor(
    std::span<const std::uint8_t> payload) {
    if (payload.empty()) return std::nullopt;
    Vp8PayloadDescriptor descriptor;
    std::size_t at = 1;
    if ((payload[0] & 0x80) != 0) {  // X: an extension byte follows
        if (payload.size() <= at) return std::nullopt;
        const std::uint8_t extension = payload[at++];
        if ((extension & 0x80) != 0) {  // I: picture id
            if (payload.size() <= at) return std::nullopt;
            descriptor.pictureIdOffset = at;
            if ((payload[at] & 0x80) != 0) {
                if (payload.size() <= at + 1) return std::nullopt;
                descriptor.longPictureId = true;
                descriptor.pictureId =
                    static_cast<std::uint16_t>((payload[at] & 0x7F) << 8 | payload[at + 1]);
                at += 2;
            } else {
                descriptor.pictureId = payload[at] & 0x7F;
                at += 1;
            }
        }
        if ((extension & 0x40) != 0) {  // L: TL0PICIDX
            if (payload.size() <= at) return std::nullopt;
            descriptor.tl0PicIdxOffset = at;
            descriptor.tl0PicIdx = payload[at++];
        }
        if ((extension & 0x30) != 0) ++at;  // T or K: TID/Y/KEYIDX
    }
    if (payload.size() < at) return std::nullopt;
    descriptor.headerSize = at;
    return descriptor;
}

std::optional<Vp8FrameSize> vp8KeyFrameSize(std::span<const std::uint8_t> payload) {
    const auto descriptor = parseVp8PayloadDescriptor(payload);
    if (!descriptor) return std::nullopt;
    // Start of partition 0 (S set, PID 0), then the frame tag with P clear, the start code
    // 9d 01 2a and two 14-bit little-endian sizes (RFC 6386 §9.1).
    const bool startOfFrame = (payload[0] & 0x10) != 0 && (payload[0] & 0x07) == 0;
    const auto frame = payload.subspan(descriptor->headerSize);
    if (!startOfFrame || frame.size() < 10 || (frame[0] & 0x01) != 0) return std::nullopt;
    if (frame[3] != 0x9d || frame[4] != 0x01 || frame[5] != 0x2a) return std::nullopt;
    Vp8FrameSize size;
    size.width = static_cast<std::uint16_t>((frame[6] | frame[7] << 8) & 0x3FFF);
    size.height = static_cast<std::uint16_t>((frame[8] | frame[9] << 8) & 0x3FFF);
    return size;
}

bool Vp8PictureIdRewriter::rewrite(std::span<std::uint8_t> payload) {
    const auto descriptor = parseVp8PayloadDescriptor(payload);
    if (!descriptor || !descriptor->pictureId) return false;
    const std::uint16_t modulo = descriptor->longPictureId ? kPictureIdModulo : 0x80;
    const std::uint16_t in = *descriptor->pictureId;
    if (syncPending_ && started_) {
        // The next picture follows the last one written.
        pictureIdOffset_ = static_cast<std::uint16_t>((in - (lastPictureId_ + 1)) & 0x7FFF);
        if (descriptor->tl0PicIdx)
            tl0Offset_ = static_cast<std::uint8_t>(*descriptor->tl0PicIdx - (lastTl0_ + 1));
    }
    syncPending_ = false;
    const auto out = static_cast<std::uint16_t>((in - pictureIdOffset_) & (modulo - 1));
    // The newest picture so far (a late packet of an older picture does not move it back).
    const auto ahead = static_cast<std::uint16_t>((out - lastPictureId_) & (modulo - 1));
    if (!started_ || (ahead != 0 && ahead < modulo / 2)) lastPictureId_ = out;
    if (descriptor->longPictureId) {
        payload[descriptor->pictureIdOffset] = static_cast<std::uint8_t>(0x80 | out >> 8);
        payload[descriptor->pictureIdOffset + 1] = static_cast<std::uint8_t>(out);
    } else {
        payload[descriptor->pictureIdOffset] = static_cast<std::uint8_t>(out & 0x7F);
    }
    if (descriptor->tl0PicIdx) {
        const auto tl0 = static_cast<std::uint8_t>(*descriptor->tl0PicIdx - tl0Offset_);
        const auto tl0Ahead = static_cast<std::uint8_t>(tl0 - lastTl0_);
        if (!started_ || (tl0Ahead != 0 && tl0Ahead < 0x80)) lastTl0_ = tl0;
        payload[descriptor->tl0PicIdxOffset] = tl0;
    }
    started_ = true;
    return true;
}

}  // namespace pulsemeet::media
