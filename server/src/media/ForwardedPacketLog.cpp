#include "media/ForwardedPacketLog.hpp"

#include <algorithm>
#include <bit>
#include <limits>

namespace pulsemeet::media {

ForwardedPacketLog::ForwardedPacketLog(std::size_t capacity, Clock::duration maxAge)
    : capacity_(std::bit_ceil(std::clamp<std::size_t>(capacity, 1, kMaxCapacity))),
      ringSize_(std::min(capacity_, kFirstRingSize)),
      slots_(std::make_unique<Slot[]>(ringSize_)),
      maxAge_(maxAge) {}

void ForwardedPacketLog::grow() {
    const auto larger = ringSize_ * 2;
    auto slots = std::make_unique<Slot[]>(larger);
    for (std::size_t i = 0; i < ringSize_; ++i)
        if (slots_[i].used) slots[slots_[i].sequenceNumber & (larger - 1)] = slots_[i];
    slots_ = std::move(slots);
    ringSize_ = larger;
}

bool ForwardedPacketLog::keep(std::uint16_t sequenceNumber, SplitRtpPacket packet,
                              std::size_t frontSize, const Source& source, Clock::time_point now) {
    auto index = sequenceNumber & (ringSize_ - 1);
    while (ringSize_ < capacity_ && slots_[index].used &&
           slots_[index].sequenceNumber != sequenceNumber &&
           now - slots_[index].sentAt <= maxAge_) {
        grow();
        index = sequenceNumber & (ringSize_ - 1);
    }
    constexpr auto kMaxField = std::numeric_limits<std::uint16_t>::max();
    if (frontSize > kMaxFrontSize || frontSize > packet.front.size() || packet.size() > kMaxField ||
        source.offset > kMaxField || source.layer > std::numeric_limits<std::uint8_t>::max()) {
        slots_[index].used = false;
        return false;
    }
    Slot& slot = slots_[index];
    slot.sentAt = now;
    slot.resentAt = Clock::time_point::min();
    slot.sourceSsrc = source.ssrc;
    slot.sequenceNumber = sequenceNumber;
    slot.sourceSequenceNumber = source.sequenceNumber;
    slot.size = static_cast<std::uint16_t>(packet.size());
    slot.sourceOffset = static_cast<std::uint16_t>(source.offset);
    slot.layer = static_cast<std::uint8_t>(source.layer);
    slot.frontSize = static_cast<std::uint8_t>(frontSize);
    slot.used = true;
    std::copy_n(packet.front.begin(), frontSize, slot.front.begin());
    return true;
}

ForwardedPacketLog::Lookup ForwardedPacketLog::forNack(std::uint16_t sequenceNumber,
                                                       Clock::time_point now,
                                                       Clock::duration minResendInterval) {
    Slot& slot = slots_[sequenceNumber & (ringSize_ - 1)];
    if (!slot.used || slot.sequenceNumber != sequenceNumber) return {};
    if (now - slot.sentAt > maxAge_) {
        slot.used = false;
        return {};
    }
    if (slot.resentAt != Clock::time_point::min() && now - slot.resentAt < minResendInterval)
        return {std::nullopt, true};
    slot.resentAt = now;
    return {Entry{std::span<const std::uint8_t>(slot.front).first(slot.frontSize),
                  {slot.layer, slot.sourceSsrc, slot.sourceSequenceNumber, slot.sourceOffset},
                  slot.size},
            false};
}

}  // namespace pulsemeet::media
