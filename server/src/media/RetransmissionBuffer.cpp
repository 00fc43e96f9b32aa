#include "media/RetransmissionBuffer.hpp"

#include <algorithm>
#include <bit>

namespace pulsemeet::media {

RetransmissionBuffer::RetransmissionBuffer(std::size_t capacity, Clock::duration maxAge)
    : slots_(std::bit_ceil(std::clamp<std::size_t>(capacity, 1, kMaxCapacity))),
      storageBytes_(slots_.size() * kSlotBytes),
      storage_(std::make_unique_for_overwrite<std::uint8_t[]>(storageBytes_)),
      maxAge_(maxAge) {}

bool RetransmissionBuffer::store(std::uint16_t sequenceNumber, std::span<const std::uint8_t> packet,
                                 Clock::time_point now) {
    if (packet.size() > kMaxPacketSize) return false;
    const auto slot = slotFor(sequenceNumber, now);
    std::copy(packet.begin(), packet.end(), slot.begin());
    commit(sequenceNumber, packet.size(), now);
    return true;
}

std::span<std::uint8_t> RetransmissionBuffer::slotFor(std::uint16_t sequenceNumber,
                                                      Clock::time_point now) {
    // Back to the start when a packet of the largest size would not fit, or when what the ring
    // holds at its start (the first packets of this lap, and the last lap's before them) is past
    // its age.
    if (writeAt_ + kMaxPacketSize > storageBytes_ ||
        (writeAt_ > 0 && now - lapStartedAt_ > maxAge_)) {
        writeAt_ = 0;
        handedOutTo_ = 0;
        ++lap_;
    }
    if (writeAt_ == 0) lapStartedAt_ = now;
    slots_[sequenceNumber & (slots_.size() - 1)].used = false;
    handedOutTo_ = std::max(handedOutTo_, writeAt_ + kMaxPacketSize);
    bytesTouched_ = std::max(bytesTouched_, handedOutTo_);
    return {storage_.get() + writeAt_, kMaxPacketSize};
}

void RetransmissionBuffer::commit(std::uint16_t sequenceNumber, std::size_t length,
                                  Clock::time_point now) {
    if (length > kMaxPacketSize) return;
    Slot& slot = slots_[sequenceNumber & (slots_.size() - 1)];
    slot.storedAt = now;
    slot.resentAt.reset();
    slot.lap = lap_;
    slot.offset = static_cast<std::uint32_t>(writeAt_);
    slot.length = static_cast<std::uint16_t>(length);
    slot.sequenceNumber = sequenceNumber;
    slot.used = true;
    writeAt_ += (length + kAlignment - 1) / kAlignment * kAlignment;
}

bool RetransmissionBuffer::intact(const Slot& slot) const {
    return slot.lap == lap_ || (slot.lap + 1 == lap_ && slot.offset >= handedOutTo_);
}

std::optional<std::span<const std::uint8_t>> RetransmissionBuffer::forNack(
    std::uint16_t sequenceNumber, Clock::time_point now, Clock::duration minResendInterval) {
    Slot& slot = slots_[sequenceNumber & (slots_.size() - 1)];
    if (!slot.used || slot.sequenceNumber != sequenceNumber) return std::nullopt;
    if (now - slot.storedAt > maxAge_ || !intact(slot)) {
        slot.used = false;
        return std::nullopt;
    }
    if (slot.resentAt && now - *slot.resentAt < minResendInterval) return std::nullopt;
    slot.resentAt = now;
    return std::span<const std::uint8_t>(storage_.get() + slot.offset, slot.length);
}

}  // namespace pulsemeet::media
