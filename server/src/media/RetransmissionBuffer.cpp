#include "media/RetransmissionBuffer.hpp"

#include <algorithm>
#include <bit>

namespace pulsemeet::media {

RetransmissionBuffer::RetransmissionBuffer(std::size_t capacity, Clock::duration maxAge)
    : slots_(std::bit_ceil(std::clamp<std::size_t>(capacity, 1, kMaxCapacity))), maxAge_(maxAge) {}

bool RetransmissionBuffer::store(std::uint16_t sequenceNumber, std::span<const std::uint8_t> packet,
                                 Clock::time_point now) {
    if (packet.size() > kMaxPacketSize) return false;
    Slot& slot = slots_[sequenceNumber & (slots_.size() - 1)];
    slot.bytes.assign(packet.begin(), packet.end());
    slot.storedAt = now;
    slot.resentAt.reset();
    slot.sequenceNumber = sequenceNumber;
    slot.used = true;
    return true;
}

std::optional<std::span<const std::uint8_t>> RetransmissionBuffer::forNack(
    std::uint16_t sequenceNumber, Clock::time_point now, Clock::duration minResendInterval) {
    Slot& slot = slots_[sequenceNumber & (slots_.size() - 1)];
    if (!slot.used || slot.sequenceNumber != sequenceNumber) return std::nullopt;
    if (now - slot.storedAt > maxAge_) {
        slot.used = false;
        return std::nullopt;
    }
    if (slot.resentAt && now - *slot.resentAt < minResendInterval) return std::nullopt;
    slot.resentAt = now;
    return std::span<const std::uint8_t>(slot.bytes);
}

}  // namespace pulsemeet::media
