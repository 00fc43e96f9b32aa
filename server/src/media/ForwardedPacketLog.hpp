#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "media/SplitRtpPacket.hpp"

// What one consumer forwarded of a video stream, kept so that a NACK from its subscriber can be
// answered with the very bytes it missed (RFC 4585 §6.2.1) without a copy of every packet per
// subscriber: of each packet only the front the consumer rewrote (its RTP header, and the VP8
// descriptor whose picture id it renumbers) is kept here, with where the rest sits in the
// publisher's packet, which the producer keeps once for all its consumers (RetransmissionBuffer).
// Writing a whole packet into a per-subscriber ring was a cold write of 18 cache lines per
// forwarded packet; an entry is two (docs/performance.md, "Retransmission storage shared by the
// subscribers"). Bounded by count (an entry per sequence number modulo the capacity) and by age.
// The ring starts small and doubles, up to the capacity, when a packet would take the place of
// one still young enough to be asked for: it holds what the stream's last maxAge needs (128 or
// 256 entries, 16-32 KiB, for a 500 kbit/s camera), not the capacity a 2.5 Mbit/s one needs
// (64 KiB).
namespace pulsemeet::media {

class ForwardedPacketLog {
  public:
    using Clock = std::chrono::steady_clock;

    // The most of a packet's front an entry holds: a rewritten header of up to 90 bytes (Chrome's
    // are 30-50 with the extensions a subscriber negotiates) and a VP8 descriptor.
    static constexpr std::size_t kMaxFrontSize = 96;
    static constexpr std::size_t kMaxCapacity = 8192;
    // The ring's first size: 4 KiB, a page.
    static constexpr std::size_t kFirstRingSize = 32;

    // Where a forwarded packet's bytes after its front come from: the publisher's packet with
    // this SSRC and sequence number on this layer, from `offset` on.
    struct Source {
        std::size_t layer = 0;
        std::uint32_t ssrc = 0;
        std::uint16_t sequenceNumber = 0;
        std::size_t offset = 0;
    };

    // capacity is rounded up to a power of two (at most kMaxCapacity), the most entries the
    // ring grows to; packets older than maxAge are never answered.
    ForwardedPacketLog(std::size_t capacity, Clock::duration maxAge);

    // Keeps what answering a NACK of `sequenceNumber` needs: the first `frontSize` bytes of the
    // packet as sent (all in its front piece), and where its other bytes are in the source.
    // False (nothing kept, the sequence number's older entry forgotten) when the front is larger
    // than kMaxFrontSize. Doubles the ring first (one allocation) when its entry for this
    // sequence number holds another packet younger than maxAge and the ring is below capacity.
    bool keep(std::uint16_t sequenceNumber, SplitRtpPacket packet, std::size_t frontSize,
              const Source& source, Clock::time_point now);

    struct Entry {
        std::span<const std::uint8_t> front;
        Source source;
        std::size_t size = 0;  // the whole packet's: front and rest
    };
    struct Lookup {
        // The entry for the NACKed sequence number; nullopt when it was never kept, has been
        // overwritten, is older than maxAge, or was answered less than minResendInterval ago.
        std::optional<Entry> entry;
        // No entry because of the last: a NACK repeated within one round trip is not answered
        // twice, on purpose; every other miss is a packet the subscriber will not get again.
        bool answeredRecently = false;

        explicit operator bool() const { return entry.has_value(); }
        const Entry* operator->() const { return &entry.value(); }  // throws when there is none
    };
    Lookup forNack(std::uint16_t sequenceNumber, Clock::time_point now,
                   Clock::duration minResendInterval = {});

    std::size_t capacity() const { return capacity_; }
    // Entries the ring has now: a power of two from kFirstRingSize (or the capacity, if smaller)
    // up to the capacity.
    std::size_t ringSize() const { return ringSize_; }

    // Asks the CPU to fetch, for writing, the entry keep() will fill for this sequence number:
    // written once every ringSize() packets, it is cold by then.
    void prefetchForKeep(std::uint16_t sequenceNumber) const {
        const auto* slot = reinterpret_cast<const char*>(&slots_[sequenceNumber & (ringSize_ - 1)]);
        __builtin_prefetch(slot, 1);
        __builtin_prefetch(slot + 64, 1);
    }

  private:
    // Two cache lines, written once per forwarded packet.
    struct alignas(64) Slot {
        Clock::time_point sentAt;
        Clock::time_point resentAt;  // Clock::time_point::min(): not resent
        std::uint32_t sourceSsrc;
        std::uint16_t sequenceNumber;
        std::uint16_t sourceSequenceNumber;
        std::uint16_t size;
        std::uint16_t sourceOffset;
        std::uint8_t layer;
        std::uint8_t frontSize;
        bool used;  // false: never kept, or forgotten
        std::array<std::uint8_t, kMaxFrontSize> front;
    };
    static_assert(sizeof(Slot) == 128);

    // The ring twice as large, each entry moved to its sequence number's place in it.
    void grow();

    std::size_t capacity_;
    std::size_t ringSize_;
    std::unique_ptr<Slot[]> slots_;  // ringSize_ of them, zeroed when made: none used
    Clock::duration maxAge_;
};

}  // namespace pulsemeet::media
