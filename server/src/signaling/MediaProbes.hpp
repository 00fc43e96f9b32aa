#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

// The pre-call check's probes of the media server (docs/protocol.md, "sfu-probe"): a client not
// in any room offers a throw-away connection to see whether the media port answers over UDP and
// over TCP. Each probe is a media-server transport of its own (media room "probe:<peer>:<n>",
// which no client can name: room ids have no ':'), removed after kLifetime or when its client
// goes. This class is only the bookkeeping: how many a client may start, which are due to go.
// Not thread-safe: the hub holds its lock.
namespace pulsemeet::signaling {

class MediaProbes {
  public:
    using Clock = std::chrono::steady_clock;

    // Long enough for ICE and DTLS over TCP on a slow network; the page gives up after ~8 s.
    static constexpr std::chrono::seconds kLifetime{15};
    // A check makes two probes (UDP, TCP); a person re-running it a few times is fine.
    static constexpr std::size_t kPerPeerPerMinute = 6;
    // Probes alive at once in this process: bounds what probing costs the media server.
    static constexpr std::size_t kMaxActive = 64;

    struct Probe {
        std::string mediaRoom;
        std::string peerId;
    };

    // A new probe for `peerId`, or nullopt-like empty mediaRoom when over a limit.
    Probe start(const std::string& peerId, Clock::time_point now);
    // Probes past their lifetime, forgotten here; the caller removes them from the media server.
    std::vector<Probe> expire(Clock::time_point now);
    // Every probe of a client that left, forgotten here.
    std::vector<Probe> endAll(const std::string& peerId);
    std::size_t active() const { return active_.size(); }

  private:
    struct Active {
        Probe probe;
        Clock::time_point endsAt;
    };
    std::deque<Active> active_;  // in start order, so in expiry order
    std::unordered_map<std::string, std::deque<Clock::time_point>> recentStarts_;
    std::uint64_t next_ = 0;
};

}  // namespace pulsemeet::signaling
