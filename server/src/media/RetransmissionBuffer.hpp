#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

// The packets recently sent to one subscriber on one stream, kept so that a NACK from that
// subscriber can be answered with the very bytes it missed (RFC 4585 §6.2.1). Bounded by count
// (an index of slots by sequence number) and by age. The bytes go one after another into a ring
// of storage allocated once, when the buffer is made (room for `capacity` packets of
// kMaxPacketSize): storing a packet is a copy, or a write in place (slotFor), never an allocation.
// The ring starts over from its beginning as soon as what it stored there is older than maxAge, so
// the storage a stream touches is what maxAge of it takes (125 KB of 768 for 2 s at 500 kbit/s),
// not the capacity: each page touched is a page the kernel must clear and keep, per subscriber of
// every camera (docs/performance.md, "Retransmission storage by age").
namespace pulsemeet::media {

class RetransmissionBuffer {
  public:
    using Clock = std::chrono::steady_clock;

    static constexpr std::size_t kMaxPacketSize = 1500;
    static constexpr std::size_t kMaxCapacity = 8192;

    // capacity is rounded up to a power of two (at most kMaxCapacity); packets older than maxAge
    // are never returned (mediasoup keeps 2 s of video, 1 s of audio).
    RetransmissionBuffer(std::size_t capacity, Clock::duration maxAge);

    // Keeps a copy of a packet as sent (rewritten, before SRTP), under its outgoing sequence
    // number. False when the packet is larger than kMaxPacketSize (not kept).
    bool store(std::uint16_t sequenceNumber, std::span<const std::uint8_t> packet,
               Clock::time_point now);
    // The same without the copy: the packet is written straight into the storage handed out
    // (kMaxPacketSize bytes), then kept with commit(). Handing storage out forgets the packet
    // that had the sequence number's slot and whatever the storage held (their bytes are about
    // to be overwritten); storage not committed keeps nothing, and is handed out again.
    std::span<std::uint8_t> slotFor(std::uint16_t sequenceNumber, Clock::time_point now);
    void commit(std::uint16_t sequenceNumber, std::size_t length, Clock::time_point now);

    // The packet to resend for a NACKed sequence number; nullopt when it was never stored, has
    // been overwritten, is older than maxAge, or was already resent less than
    // minResendInterval ago (a NACK repeated within one round trip is not answered twice).
    std::optional<std::span<const std::uint8_t>> forNack(std::uint16_t sequenceNumber,
                                                         Clock::time_point now,
                                                         Clock::duration minResendInterval = {});

    std::size_t capacity() const { return slots_.size(); }
    // The most storage the packets stored so far have used: what the buffer costs in memory.
    std::size_t bytesTouched() const { return bytesTouched_; }

  private:
    // Where a packet starts in the storage: a cache line of its own.
    static constexpr std::size_t kAlignment = 64;
    static constexpr std::size_t kSlotBytes =
        (kMaxPacketSize + kAlignment - 1) / kAlignment * kAlignment;

    struct Slot {
        Clock::time_point storedAt;
        std::optional<Clock::time_point> resentAt;
        std::uint64_t lap = 0;  // the storage's lap it was written in
        std::uint32_t offset = 0;
        std::uint16_t length = 0;
        std::uint16_t sequenceNumber = 0;
        bool used = false;
    };

    // Whether the slot's bytes are still in the storage: written in this lap, or in the last one
    // beyond what this lap has written over.
    bool intact(const Slot& slot) const;

    std::vector<Slot> slots_;
    std::size_t storageBytes_;
    // Not zeroed, so pages are touched only as packets are stored.
    std::unique_ptr<std::uint8_t[]> storage_;
    std::size_t writeAt_ = 0;
    // The end of what this lap has handed out (at least writeAt_): the last lap's packets before
    // it may be written over.
    std::size_t handedOutTo_ = 0;
    std::uint64_t lap_ = 0;
    Clock::time_point lapStartedAt_{};
    std::size_t bytesTouched_ = 0;
    Clock::duration maxAge_;
};

}  // namespace pulsemeet::media
