#include "media/RetransmissionBuffer.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdint>

namespace pulsemeet::media {

RetransmissionBuffer::RetransmissionBuffer(std::size_t capacity, Clock::duration maxAge)
    : slots_(std::bit_ceil(std::clamp<std::size_t>(capacity, 1, kMaxCapacity))),
      storageBytes_(slots_.size() * kSlotBytes),
      storage_(std::make_unique_for_overwrite<std::uint8_t[]>(storageBytes_)),
      maxAge_(maxAge) {}

bool RetransmissionBuffer::store(std::uint16_t sequenceNumber, std::span<const std::uint8_t> packet,
                                 Clock::time_point now) {
    Slot& slot = slots_[sequenceNumber & (slots_.size() - 1)];
    slot.used = false;  // whatever it named is replaced, or is no longer this sequence number's
    if (packet.size() > kMaxPacketSize) return false;
    // Back to the start when a packet of the largest size would not fit, or when what the ring
    // holds at its start (the first packets of this lap, and the last lap's before them) is past
    // its age.
    if (writeAt_ + kMaxPacketSize > storageBytes_ ||
        (writeAt_ > 0 && now - lapStartedAt_ > maxAge_)) {
        writeAt_ = 0;
        ++lap_;
    }
    if (writeAt_ == 0) lapStartedAt_ = now;
    lastStoredAt_ = now;
    bytesTouched_ = std::max(bytesTouched_, writeAt_ + packet.size());
    std::copy(packet.begin(), packet.end(), storage_.get() + writeAt_);
    slot.storedAt = now;
    slot.lap = lap_;
    slot.offset = static_cast<std::uint32_t>(writeAt_);
    slot.length = static_cast<std::uint16_t>(packet.size());
    slot.sequenceNumber = sequenceNumber;
    slot.used = true;
    writeAt_ += (packet.size() + kAlignment - 1) / kAlignment * kAlignment;
    return true;
}

bool RetransmissionBuffer::releaseIfIdle(Clock::time_point now) {
    if (bytesTouched_ == 0 || now - lastStoredAt_ <= maxAge_) return false;
    // Only pages wholly inside what was touched: the allocator's own bytes around the storage
    // are left alone. Read again, a released page is zeros; nothing reads it before storing.
    const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto start = reinterpret_cast<std::uintptr_t>(storage_.get());
    const auto first = (start + page - 1) / page * page;
    const auto end = (start + bytesTouched_) / page * page;
    if (end > first) ::madvise(reinterpret_cast<void*>(first), end - first, MADV_DONTNEED);
    for (auto& slot : slots_) slot.used = false;
    writeAt_ = 0;
    ++lap_;
    bytesTouched_ = 0;
    return true;
}

bool RetransmissionBuffer::intact(const Slot& slot) const {
    return slot.lap == lap_ || (slot.lap + 1 == lap_ && slot.offset >= writeAt_);
}

std::optional<std::span<const std::uint8_t>> RetransmissionBuffer::find(
    std::uint16_t sequenceNumber, Clock::time_point now) const {
    const Slot& slot = slots_[sequenceNumber & (slots_.size() - 1)];
    if (!slot.used || slot.sequenceNumber != sequenceNumber) return std::nullopt;
    if (now - slot.storedAt > maxAge_ || !intact(slot)) return std::nullopt;
    return std::span<const std::uint8_t>(storage_.get() + slot.offset, slot.length);
}

}  // namespace pulsemeet::media
