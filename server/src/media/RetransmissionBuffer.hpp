#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

// The packets recently received from a publisher on one stream, kept so that each consumer of it
// can answer its subscriber's NACKs (RFC 4585 §6.2.1) from one copy: a consumer keeps only the
// front it rewrote (ForwardedPacketLog) and takes the rest from here. Bounded by count (an index
// of slots by sequence number) and by age. The bytes go one after another into a ring of storage
// allocated once, when the buffer is made (room for `capacity` packets of kMaxPacketSize):
// storing a packet is a copy, never an allocation. The ring starts over from its beginning as
// soon as what it stored there is older than maxAge, so the storage a stream touches is what
// maxAge of it takes (125 KB of 768 for 2 s at 500 kbit/s), not the capacity: each page touched
// is a page the kernel must clear and keep (docs/performance.md, "Retransmission storage by age").
namespace pulsemeet::media {

class RetransmissionBuffer {
  public:
    using Clock = std::chrono::steady_clock;

    static constexpr std::size_t kMaxPacketSize = 1500;
    static constexpr std::size_t kMaxCapacity = 8192;

    // capacity is rounded up to a power of two (at most kMaxCapacity); packets older than maxAge
    // are never returned (mediasoup keeps 2 s of video, 1 s of audio).
    RetransmissionBuffer(std::size_t capacity, Clock::duration maxAge);

    // Keeps a copy of a packet under its sequence number. False when the packet is larger than
    // kMaxPacketSize (not kept).
    bool store(std::uint16_t sequenceNumber, std::span<const std::uint8_t> packet,
               Clock::time_point now);

    // The packet stored under a sequence number; nullopt when it was never stored, has been
    // overwritten or is older than maxAge.
    std::optional<std::span<const std::uint8_t>> find(std::uint16_t sequenceNumber,
                                                      Clock::time_point now) const;

    // The stream stopped (a simulcast layer the publisher paused, a camera turned off): once its
    // newest packet is older than maxAge, nothing stored can be asked for any more, so the
    // storage's pages go back to the kernel (MADV_DONTNEED on the whole pages touched) and the
    // next packet starts it over. True when it released them.
    bool releaseIfIdle(Clock::time_point now);

    std::size_t capacity() const { return slots_.size(); }
    // The most storage the packets stored so far (since the last release) have used: what the
    // buffer costs in memory.
    std::size_t bytesTouched() const { return bytesTouched_; }

  private:
    // Where a packet starts in the storage: a cache line of its own.
    static constexpr std::size_t kAlignment = 64;
    static constexpr std::size_t kSlotBytes =
        (kMaxPacketSize + kAlignment - 1) / kAlignment * kAlignment;

    struct Slot {
        Clock::time_point storedAt;
        std::uint64_t lap = 0;  // the storage's lap it was written in
        std::uint32_t offset = 0;
        std::uint16_t length = 0;
        std::uint16_t sequenceNumber = 0;
        bool used = false;
    };

    // Whether the slot's bytes are still in the storage: written in this lap, or in the last one
    // from where this lap writes next on.
    bool intact(const Slot& slot) const;

    std::vector<Slot> slots_;
    std::size_t storageBytes_;
    // Not zeroed, so pages are touched only as packets are stored.
    std::unique_ptr<std::uint8_t[]> storage_;
    std::size_t writeAt_ = 0;
    std::uint64_t lap_ = 0;
    Clock::time_point lapStartedAt_{};
    Clock::time_point lastStoredAt_{};
    std::size_t bytesTouched_ = 0;
    Clock::duration maxAge_;
};

}  // namespace pulsemeet::media
