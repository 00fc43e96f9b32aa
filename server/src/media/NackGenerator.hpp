#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

// Loss detection on one stream received from a publisher: which sequence numbers are missing,
// and when to NACK them (RFC 4585 §6.2.1), after mediasoup's NackGenerator. Memory is bounded by
// maxListSize whatever the sequence numbers do (wrap, huge jumps, a source restart); both vectors
// are reserved up front, so the steady state does not allocate.
namespace pulsemeet::media {

class NackGenerator {
  public:
    using Clock = std::chrono::steady_clock;

    struct Limits {
        std::size_t maxListSize = 1000;     // missing packets tracked at once
        std::int64_t maxPacketAge = 10000;  // in sequence numbers behind the newest
        unsigned maxRetries = 10;           // NACKs per missing packet
        // Reordering is common within a few milliseconds: wait this long before the first NACK.
        Clock::duration firstNackDelay = std::chrono::milliseconds(10);
        // Retries are one round trip apart, never closer than this.
        Clock::duration minRetryInterval = std::chrono::milliseconds(20);
    };

    enum class Result {
        ok,
        // The loss is beyond what NACK can repair (a gap wider than the list, or the list full):
        // the list was cleared and the caller should request a key frame instead.
        keyFrameNeeded,
    };

    NackGenerator();
    explicit NackGenerator(Limits limits);

    // Every packet received on the stream (after SRTP), including retransmissions.
    Result onPacket(std::uint16_t sequenceNumber, Clock::time_point now);

    // The sequence numbers to NACK now (ascending), valid until the next call. Each missing
    // packet is asked for up to maxRetries times, max(rtt, minRetryInterval) apart, then given up.
    std::span<const std::uint16_t> due(Clock::time_point now, Clock::duration rtt);

    std::size_t missingCount() const { return missing_.size(); }
    std::uint64_t recovered() const { return recovered_; }
    std::uint64_t givenUp() const { return givenUp_; }

  private:
    struct Missing {
        std::int64_t extended;
        Clock::time_point detectedAt;
        Clock::time_point lastSentAt;
        unsigned retries;
    };

    std::int64_t extend(std::uint16_t sequenceNumber) const;
    Result reset(std::int64_t extended);

    Limits limits_;
    bool started_ = false;
    std::int64_t highest_ = 0;
    std::vector<Missing> missing_;  // ascending by extended number
    std::vector<std::uint16_t> due_;
    std::uint64_t recovered_ = 0;
    std::uint64_t givenUp_ = 0;
};

}  // namespace pulsemeet::media
