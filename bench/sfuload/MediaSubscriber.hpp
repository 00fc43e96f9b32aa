#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <unordered_map>

#include "MediaLink.hpp"
#include "ReceiveCounters.hpp"

// What a load peer receives: the streams the signaling declared (SSRC -> the publisher whose
// stamp it must carry), counted into RunTotals (ReceiveCounters.hpp), and a receiver report
// about them every second.
namespace pulsemeet::bench::sfu {

class MediaSubscriber {
  public:
    using Clock = std::chrono::steady_clock;

    MediaSubscriber(RunTotals& totals, std::uint32_t roomTag, std::uint32_t reporterSsrc);

    // The SSRC the server declared for a forwarded stream, and whose stamp it carries.
    void expect(std::uint32_t ssrc, std::uint32_t publisherTag);
    void onRtp(std::span<std::uint8_t> packet);
    void tick(Clock::time_point now, MediaLink& link);

    std::size_t streamsReceiving() const;
    std::uint64_t lost() const;
    void resetCounters();

  private:
    struct Incoming {
        std::uint32_t expectedPublisherTag = 0;
        StreamCounter counter;
        std::uint16_t highestSequence = 0;
        std::uint32_t cycles = 0;
        bool any = false;
    };

    void sendReceiverReport(MediaLink& link);

    RunTotals& totals_;
    std::uint32_t roomTag_;
    std::uint32_t reporterSsrc_;
    Clock::time_point nextReport_ = Clock::now() + std::chrono::seconds(1);
    std::unordered_map<std::uint32_t, Incoming> incoming_;
};

}  // namespace pulsemeet::bench::sfu
