#include "SyntheticMedia.hpp"

#include <time.h>

#include <algorithm>
#include <string_view>

namespace pulsemeet::bench::sfu {

namespace {

constexpr std::uint32_t kMagic = 0x504D4C44;  // "PMLD"

void putU32(std::uint8_t* at, std::uint32_t value) {
    for (int i = 0; i < 4; ++i) at[i] = static_cast<std::uint8_t>(value >> (24 - 8 * i));
}
std::uint32_t getU32(const std::uint8_t* at) {
    return std::uint32_t{at[0]} << 24 | std::uint32_t{at[1]} << 16 | std::uint32_t{at[2]} << 8 |
           at[3];
}

}  // namespace

void PayloadStamp::writeTo(std::span<std::uint8_t> out) const {
    auto* at = out.data() + out.size() - kSize;
    putU32(at, kMagic);
    putU32(at + 4, roomTag);
    putU32(at + 8, publisherTag);
    putU32(at + 12, counter);
    putU32(at + 16, static_cast<std::uint32_t>(sentNanos >> 32));
    putU32(at + 20, static_cast<std::uint32_t>(sentNanos));
}

std::optional<PayloadStamp> PayloadStamp::readFrom(std::span<const std::uint8_t> payload) {
    if (payload.size() < kSize) return std::nullopt;
    const auto* at = payload.data() + payload.size() - kSize;
    if (getU32(at) != kMagic) return std::nullopt;
    PayloadStamp stamp;
    stamp.roomTag = getU32(at + 4);
    stamp.publisherTag = getU32(at + 8);
    stamp.counter = getU32(at + 12);
    stamp.sentNanos = std::uint64_t{getU32(at + 16)} << 32 | getU32(at + 20);
    return stamp;
}

std::uint32_t tagOf(std::string_view text) {
    std::uint32_t hash = 2166136261U;
    for (const char c : text) {
        hash ^= static_cast<std::uint8_t>(c);
        hash *= 16777619U;
    }
    return hash;
}

std::uint64_t monotonicNanos() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000'000ULL +
           static_cast<std::uint64_t>(now.tv_nsec);
}

Vp8FrameMaker::Vp8FrameMaker(unsigned framesPerSecond, unsigned bitsPerSecond,
                             unsigned keyFrameInterval)
    : keyFrameInterval_(std::max(1U, keyFrameInterval)) {
    // A key frame about six times a delta frame, as a camera at this rate gives.
    const unsigned perInterval = bitsPerSecond / 8 * keyFrameInterval_ / framesPerSecond;
    deltaBytes_ = std::max(200U, perInterval / (keyFrameInterval_ + 5));
    keyBytes_ = deltaBytes_ * 6;
}

std::vector<std::vector<std::uint8_t>> Vp8FrameMaker::nextFrame(bool forceKeyFrame) {
    const bool key = forceKeyFrame || frameIndex_ % keyFrameInterval_ == 0;
    ++frameIndex_;
    lastKey_ = key;
    std::size_t remaining = key ? keyBytes_ : deltaBytes_;
    std::vector<std::vector<std::uint8_t>> payloads;
    bool first = true;
    while (remaining > 0 || first) {
        const std::size_t size =
            std::max(PayloadStamp::kSize + 16, std::min<std::size_t>(remaining, kMaxRtpPayload));
        std::vector<std::uint8_t> payload(size, 0xA5);
        // VP8 payload descriptor (RFC 7741 §4.2): no extensions; S on the first packet of the
        // frame, partition 0.
        payload[0] = first ? 0x10 : 0x00;
        if (first) {
            // VP8 payload header (RFC 7741 §4.3): P (bit 0) is 0 on a key frame; show_frame set.
            payload[1] = key ? 0x10 : 0x11;
            payload[2] = 0x00;
            payload[3] = 0x00;
            if (key) {  // the key frame's start code and 640x360
                payload[4] = 0x9D;
                payload[5] = 0x01;
                payload[6] = 0x2A;
                payload[7] = 0x80;
                payload[8] = 0x02;
                payload[9] = 0x68;
                payload[10] = 0x01;
            }
        }
        payloads.push_back(std::move(payload));
        remaining -= std::min(remaining, size);
        first = false;
    }
    return payloads;
}

std::vector<std::uint8_t> opusPayload() {
    return std::vector<std::uint8_t>(80, 0x5A);
}

}  // namespace pulsemeet::bench::sfu
