#pragma once

#include <mutex>

#include "app/MediaTcpMetrics.hpp"
#include "media/SfuStats.hpp"
#include "obs/Metrics.hpp"

// The media server's counters on /metrics (docs/operations.md, "Metrics"). The media threads
// keep plain integers of their own (no shared counter on the packet path); the application
// reads their sum once a second (Sfu::stats) and this turns each reading into counter
// increments and gauge values.
namespace pulsemeet::app {

class MediaMetrics {
  public:
    explicit MediaMetrics(obs::Registry& registry);
    // A new reading; counters grow by what it adds to the previous one. Thread-safe.
    void update(const media::SfuStats& stats);

  private:
    std::mutex mutex_;
    media::SfuStats last_;
    obs::Counter& rtpPacketsIn_;
    obs::Counter& rtpBytesIn_;
    obs::Counter& rtpPacketsOut_;
    obs::Counter& rtpBytesOut_;
    obs::Counter& nacksReceived_;
    obs::Counter& nacksSent_;
    obs::Counter& retransmissions_;
    obs::Counter& retransmissionsMissed_;
    obs::Counter& plisReceived_;
    obs::Counter& plisSent_;
    obs::Counter& srtpFailures_;
    obs::Counter& testDropped_;
    obs::Counter& unroutable_;
    obs::Counter& droppedUnknownSender_;
    obs::Counter& stunRejected_;
    obs::Counter& sendFailed_;
    obs::Counter& sentSegmented_;
    obs::Counter& closedHandshakeTimeout_;
    obs::Counter& closedConsentLost_;
    obs::Counter& closedDtlsFailed_;
    obs::Counter& closedPeerClosed_;
    obs::Counter& closedByServer_;
    obs::Histogram& forwarding_;
    obs::Gauge& transports_;
    obs::Gauge& producers_;
    obs::Gauge& forwardedStreams_;
    obs::Gauge& rooms_;
    MediaTcpMetrics tcp_;
};

}  // namespace pulsemeet::app
