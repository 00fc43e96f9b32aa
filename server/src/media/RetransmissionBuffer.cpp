#include "media/RetransmissionBuffer.hpp"

#include <algorithm>
#include <bit>

namespace pulsemeet::media {

RetransmissionBuffer::RetransmissionBuffer(std::size_t capacity, Clock::duration maxAge)
    : slots_(std::bit_ceil(std::clamp<std::size_t>(capacity, 1, kMaxCapacity))),
      storage_(std::make_unique_for_overwrite<std::uint8_t[]>(slots_.size() * kMaxPacketSize)),
      maxAge_(maxAge) {}

std::span<std::uint8_t> RetransmissionBuffer::storageOf(std::size_t slot) {
    return {storage_.get() + slot * kMaxPacketSize, kMaxPacketSize};
}

bool RetransmissionBuffer::store(std::uint16_t sequenceNumber, std::span<const std::uint8_t> packet,
                                 Clock::time_point now) {
    if (packet.size() > kMaxPacketSize) return false;
    const auto slot = slotFor(sequenceNumber);
    std::copy(packet.begin(), packet.end(), slot.begin());
    commit(sequenceNumber, packet.size(), now);
    return true;
}

std::span<std::uint8_t> RetransmissionBuffer::slotFor(std::uint16_t sequenceNumber) {
    const auto index = sequenceNumber & (slots_.size() - 1);
    slots_[index].used = false;
    return storageOf(index);
}

void RetransmissionBuffer::commit(std::uint16_t sequenceNumber, std::size_t length,
                                  Clock::time_point now) {
    if (length > kMaxPacketSize) return;
    Slot& slot = slots_[sequenceNumber & (slots_.size() - 1)];
    slot.length = static_cast<std::uint16_t>(length);
    slot.storedAt = now;
    slot.resentAt.reset();
    slot.sequenceNumber = sequenceNumber;
    slot.used = true;
}

std::optional<std::span<const std::uint8_t>> RetransmissionBuffer::forNack(
    std::uint16_t sequenceNumber, Clock::time_point now, Clock::duration minResendInterval) {
    const auto index = sequenceNumber & (slots_.size() - 1);
    Slot& slot = slots_[index];
    if (!slot.used || slot.sequenceNumber != sequenceNumber) return std::nullopt;
    if (now - slot.storedAt > maxAge_) {
        slot.used = false;
        return std::nullopt;
    }
    if (slot.resentAt && now - *slot.resentAt < minResendInterval) return std::nullopt;
    slot.resentAt = now;
    return std::span<const std::uint8_t>(storageOf(index).first(slot.length));
}

}  // namespace pulsemeet::media
