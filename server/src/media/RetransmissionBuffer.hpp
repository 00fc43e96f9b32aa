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
// (a ring indexed by sequence number) and by age. All slots' storage is allocated once, when the
// buffer is made (capacity x kMaxPacketSize, touched only as slots fill): storing a packet is a
// copy, or a write in place (slotFor), never an allocation.
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
    // The same without the copy: the packet is written straight into the slot of its sequence
    // number (kMaxPacketSize bytes), then kept with commit(). Handing the slot out forgets what
    // it held (an older packet's bytes are about to be overwritten); a slot not committed keeps
    // nothing.
    std::span<std::uint8_t> slotFor(std::uint16_t sequenceNumber);
    void commit(std::uint16_t sequenceNumber, std::size_t length, Clock::time_point now);

    // The packet to resend for a NACKed sequence number; nullopt when it was never stored, has
    // been overwritten, is older than maxAge, or was already resent less than
    // minResendInterval ago (a NACK repeated within one round trip is not answered twice).
    std::optional<std::span<const std::uint8_t>> forNack(std::uint16_t sequenceNumber,
                                                         Clock::time_point now,
                                                         Clock::duration minResendInterval = {});

    std::size_t capacity() const { return slots_.size(); }

  private:
    struct Slot {
        Clock::time_point storedAt;
        std::optional<Clock::time_point> resentAt;
        std::uint16_t length = 0;
        std::uint16_t sequenceNumber = 0;
        bool used = false;
    };

    std::span<std::uint8_t> storageOf(std::size_t slot);

    std::vector<Slot> slots_;
    // Slot i's bytes at i * kMaxPacketSize; not zeroed, so pages are touched only as slots fill.
    std::unique_ptr<std::uint8_t[]> storage_;
    Clock::duration maxAge_;
};

}  // namespace pulsemeet::media
