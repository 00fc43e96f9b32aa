#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "LatencyRecorder.hpp"
#include "SyntheticMedia.hpp"

// What the subscribers of one run received inside the measurement window, for every stream:
// packets (first copies), losses (stamp counters never seen between the first and the highest),
// late ones (a counter below the highest seen: reordered or a retransmission), misrouted ones
// (another room's or another publisher's stamp on this SSRC, or no stamp) and the forwarding
// latency from the stamp's send time.
namespace pulsemeet::bench::sfu {

struct RunTotals {
    std::uint64_t received = 0;  // every RTP packet with a stamp, duplicates included
    std::uint64_t unique = 0;
    std::uint64_t late = 0;
    std::uint64_t misrouted = 0;
    std::uint64_t duplicates = 0;
    std::uint64_t nacksReceived = 0;
    std::uint64_t retransmitted = 0;  // packets resent from the buffer on a NACK
    std::uint64_t plisReceived = 0;
    std::uint64_t published = 0;
    LatencyRecorder latency;
};

class StreamCounter {
  public:
    // A packet of this stream; updates `totals`.
    void add(std::uint32_t counter, RunTotals& totals);
    // Counters between the first and the highest seen that never arrived.
    std::uint64_t lost() const;
    void reset();

  private:
    bool started_ = false;
    std::uint32_t first_ = 0;
    std::uint32_t highest_ = 0;
    std::uint64_t unique_ = 0;
    std::vector<bool> seen_;  // by counter - first_
};

}  // namespace pulsemeet::bench::sfu
