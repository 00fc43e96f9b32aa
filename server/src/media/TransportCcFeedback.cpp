#include "media/TransportCcFeedback.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

namespace pulsemeet::media {

namespace {

constexpr std::string_view kTransportCcUri =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
constexpr std::uint8_t kRtpFeedback = 205;
constexpr std::uint8_t kFmtTransportCc = 15;
constexpr std::int64_t kDeltaUs = 250;            // receive deltas count quarter milliseconds
constexpr std::int64_t kReferenceTicks = 64 * 4;  // the reference time counts 64 ms
constexpr std::size_t kFixedSize = 20;            // RTCP header, two SSRCs, the feedback header
constexpr std::size_t kSymbolsPerChunk = 7;       // two-bit status vector chunks
constexpr std::uint8_t kNotReceived = 0;
constexpr std::uint8_t kSmallDelta = 1;
constexpr std::uint8_t kLargeDelta = 2;

std::int64_t ticksOf(TransportCcFeedback::Clock::time_point at) {
    return std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count() /
           kDeltaUs;
}

void put16(std::span<std::uint8_t> out, std::size_t at, std::uint32_t value) {
    out[at] = static_cast<std::uint8_t>(value >> 8);
    out[at + 1] = static_cast<std::uint8_t>(value);
}

void put32(std::span<std::uint8_t> out, std::size_t at, std::uint32_t value) {
    put16(out, at, value >> 16);
    put16(out, at + 2, value & 0xFFFF);
}

}  // namespace

std::optional<std::uint8_t> transportCcExtensionId(std::span<const SdpExtmap> extmaps) {
    for (const auto& extmap : extmaps)
        if (extmap.uri == kTransportCcUri && extmap.id > 0 && extmap.id < 256)
            return static_cast<std::uint8_t>(extmap.id);
    return std::nullopt;
}

void TransportCcFeedback::onPacket(std::uint16_t sequence, Clock::time_point arrival) {
    std::int64_t extended = sequence;
    if (lastExtended_) {
        const auto step = static_cast<std::int16_t>(
            static_cast<std::uint16_t>(sequence - static_cast<std::uint16_t>(*lastExtended_)));
        extended = *lastExtended_ + step;
        if (extended > *lastExtended_) lastExtended_ = extended;
    } else {
        lastExtended_ = extended;
    }
    if (!nextToReport_) nextToReport_ = extended;
    // Reported already (as lost), or numbered before the first one seen: nothing to add.
    if (extended < *nextToReport_ || pending_.size() >= kMaxPending) return;
    pending_.emplace(extended, arrival);
}

bool TransportCcFeedback::due(Clock::time_point now) const {
    return !pending_.empty() && now - lastSent_ >= kInterval;
}

std::size_t TransportCcFeedback::write(std::span<std::uint8_t> out, std::uint32_t senderSsrc,
                                       std::uint32_t mediaSsrc, Clock::time_point now) {
    if (pending_.empty()) return 0;
    std::int64_t base = *nextToReport_;
    // A long run of losses is not worth reporting packet by packet: start at the next arrival.
    if (pending_.begin()->first - base >= static_cast<std::int64_t>(kMaxPacketsPerFeedback))
        base = pending_.begin()->first;
    const std::int64_t last = std::min(
        pending_.rbegin()->first, base + static_cast<std::int64_t>(kMaxPacketsPerFeedback) - 1);
    const std::size_t count = static_cast<std::size_t>(last - base + 1);

    // The reference time: the first arrival, down to 64 ms; every delta follows the one before.
    const std::int64_t referenceTicks = ticksOf(pending_.begin()->second);
    const std::int64_t reference = referenceTicks / kReferenceTicks;
    std::int64_t previous = reference * kReferenceTicks;
    std::vector<std::uint8_t> symbols(count, kNotReceived);
    std::vector<std::uint8_t> deltas;
    deltas.reserve(2 * count);
    for (auto it = pending_.begin(); it != pending_.end() && it->first <= last; ++it) {
        const std::int64_t delta = ticksOf(it->second) - previous;
        auto& symbol = symbols[static_cast<std::size_t>(it->first - base)];
        if (delta >= 0 && delta <= 0xFF) {
            symbol = kSmallDelta;
            deltas.push_back(static_cast<std::uint8_t>(delta));
        } else if (delta >= INT16_MIN && delta <= INT16_MAX) {
            symbol = kLargeDelta;
            const auto value = static_cast<std::uint16_t>(static_cast<std::int16_t>(delta));
            deltas.push_back(static_cast<std::uint8_t>(value >> 8));
            deltas.push_back(static_cast<std::uint8_t>(value));
        } else {
            continue;  // too far from the one before to say: reported as not received
        }
        previous = ticksOf(it->second);
    }

    const std::size_t chunks = (count + kSymbolsPerChunk - 1) / kSymbolsPerChunk;
    const std::size_t unpadded = kFixedSize + 2 * chunks + deltas.size();
    const std::size_t padding = (4 - unpadded % 4) % 4;
    const std::size_t size = unpadded + padding;
    if (out.size() < size) return 0;

    out[0] = static_cast<std::uint8_t>(0x80 | (padding > 0 ? 0x20 : 0) | kFmtTransportCc);
    out[1] = kRtpFeedback;
    put16(out, 2, static_cast<std::uint32_t>(size / 4 - 1));
    put32(out, 4, senderSsrc);
    put32(out, 8, mediaSsrc);
    put16(out, 12, static_cast<std::uint32_t>(base & 0xFFFF));
    put16(out, 14, static_cast<std::uint32_t>(count));
    const auto reference24 = static_cast<std::uint32_t>(reference) & 0xFFFFFF;
    out[16] = static_cast<std::uint8_t>(reference24 >> 16);
    out[17] = static_cast<std::uint8_t>(reference24 >> 8);
    out[18] = static_cast<std::uint8_t>(reference24);
    out[19] = feedbackCount_++;
    std::size_t at = kFixedSize;
    for (std::size_t chunk = 0; chunk < chunks; ++chunk) {
        std::uint32_t word = 0xC000;  // status vector chunk of two-bit symbols
        for (std::size_t i = 0; i < kSymbolsPerChunk; ++i) {
            const std::size_t index = chunk * kSymbolsPerChunk + i;
            const std::uint32_t symbol = index < count ? symbols[index] : kNotReceived;
            word |= symbol << (2 * (kSymbolsPerChunk - 1 - i));
        }
        put16(out, at, word);
        at += 2;
    }
    for (const auto byte : deltas) out[at++] = byte;
    for (std::size_t i = 0; i < padding; ++i) out[at++] = 0;
    if (padding > 0) out[at - 1] = static_cast<std::uint8_t>(padding);

    pending_.erase(pending_.begin(), pending_.upper_bound(last));
    nextToReport_ = last + 1;
    lastSent_ = now;
    return size;
}

}  // namespace pulsemeet::media
