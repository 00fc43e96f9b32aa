#include "media/ForwardedPacketLog.hpp"

#include <algorithm>
#include <bit>
#include <limits>

namespace pulsemeet::media {

ForwardedPacketLog::ForwardedPacketLog(std::size_t capacity, Clock::duration maxAge)
    : capacity_(std::bit_ceil(std::clamp<std::size_t>(capacity, 1, kMaxCapacity))),
      slots_(std::make_unique_for_overwrite<Slot[]>(capacity_)),
      used_(capacity_, false),
      maxAge_(maxAge) {}

bool ForwardedPacketLog::keep(std::uint16_t sequenceNumber, SplitRtpPacket packet,
                              std::size_t frontSize, const Source& source, Clock::time_point now) {
    const auto index = sequenceNumber & (capacity_ - 1);
    constexpr auto kMaxField = std::numeric_limits<std::uint16_t>::max();
    if (frontSize > kMaxFrontSize || frontSize > packet.front.size() || packet.size() > kMaxField ||
        source.offset > kMaxField || source.layer > std::numeric_limits<std::uint8_t>::max()) {
        used_[index] = false;
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
    std::copy_n(packet.front.begin(), frontSize, slot.front.begin());
    used_[index] = true;
    return true;
}

ForwardedPacketLog::Lookup ForwardedPacketLog::forNack(std::uint16_t sequenceNumber,
                                                       Clock::time_point now,
                                                       Clock::duration minResendInterval) {
    const auto index = sequenceNumber & (capacity_ - 1);
    if (!used_[index]) return {};
    Slot& slot = slots_[index];
    if (slot.sequenceNumber != sequenceNumber) return {};
    if (now - slot.sentAt > maxAge_) {
        used_[index] = false;
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
