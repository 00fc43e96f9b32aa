#pragma once

#include "media/TcpIceCounters.hpp"
#include "obs/Metrics.hpp"

// The media server's ICE-over-TCP counters on /metrics (docs/operations.md, "Metrics"), fed by
// MediaMetrics from the same once-a-second reading. Not thread-safe: MediaMetrics holds its lock.
namespace pulsemeet::app {

class MediaTcpMetrics {
  public:
    explicit MediaTcpMetrics(obs::Registry& registry);
    // Counters grow by what `now` adds to `before`; the gauge takes `now`'s value.
    void update(const media::TcpIceCounters& now, const media::TcpIceCounters& before);

  private:
    obs::Counter& accepted_;
    obs::Counter& refusedOverCap_;
    obs::Counter& closedNoValidStun_;
    obs::Counter& closedBadFraming_;
    obs::Counter& closedIdle_;
    obs::Counter& closedByPeer_;
    obs::Counter& closedByServer_;
    obs::Counter& framesReceived_;
    obs::Counter& framesSent_;
    obs::Counter& sendDropped_;
    obs::Gauge& connections_;
};

}  // namespace pulsemeet::app
