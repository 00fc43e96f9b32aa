#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>

#include "media/SdpOffer.hpp"

// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01,
// RTCP RTPFB FMT 15) for what a publisher sends us. Chrome's send-side estimator (GCC) needs it:
// with REMB alone its estimate grows only slowly and never probes, so after a simulcast layer was
// paused and resumed the top layer stayed allocated nothing (docs/architecture.md, "Bandwidth
// estimation"). The publisher numbers every packet of its connection (the transport-cc header
// extension); this records when each arrived and writes the feedback packets that report it.
// Pure logic over a clock given by the caller; one per publisher connection.
namespace pulsemeet::media {

// The transport-cc header extension's id among a section's negotiated extensions, if any.
std::optional<std::uint8_t> transportCcExtensionId(std::span<const SdpExtmap> extmaps);

class TransportCcFeedback {
  public:
    using Clock = std::chrono::steady_clock;

    // How often feedback goes out while packets arrive (Chrome's receivers: 50..250 ms).
    static constexpr Clock::duration kInterval = std::chrono::milliseconds(100);
    // Packets at most in one feedback packet; more go in the next one.
    static constexpr std::size_t kMaxPacketsPerFeedback = 500;
    // Arrivals remembered at most: a sender that numbers wildly cannot grow this without bound.
    static constexpr std::size_t kMaxPending = 4096;

    // A packet with transport-wide sequence number `sequence` arrived at `arrival`.
    void onPacket(std::uint16_t sequence, Clock::time_point arrival);
    // Whether feedback is due now (something arrived and kInterval passed since the last).
    bool due(Clock::time_point now) const;
    // Writes the next feedback packet into `out` (one RTCP packet, padded to 32 bits); returns its
    // size, 0 when there is nothing to report or `out` is too small. Call again while due and it
    // returns more than 0: one call reports at most kMaxPacketsPerFeedback packets.
    std::size_t write(std::span<std::uint8_t> out, std::uint32_t senderSsrc,
                      std::uint32_t mediaSsrc, Clock::time_point now);

  private:
    // Extended (unwrapped) sequence number -> arrival, for those not reported yet.
    std::map<std::int64_t, Clock::time_point> pending_;
    std::optional<std::int64_t> lastExtended_;
    // The first number the next feedback reports (the ones before were reported or given up).
    std::optional<std::int64_t> nextToReport_;
    Clock::time_point lastSent_{};
    std::uint8_t feedbackCount_ = 0;
};

}  // namespace pulsemeet::media
