#include "app/MediaMetrics.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace pulsemeet::app {

namespace {

obs::Counter& closes(obs::Registry& registry, const std::string& reason) {
    return registry.counter("pulsemeet_media_transports_closed_total",
                            "Media transports closed, by why", {{"reason", reason}});
}

// The media threads' bucket bounds (microseconds), in seconds.
std::vector<double> forwardingBounds() {
    std::vector<double> bounds;
    for (const auto micros : media::ForwardingHistogram::kUpperBoundsMicroseconds)
        bounds.push_back(static_cast<double>(micros) / 1e6);
    return bounds;
}

}  // namespace

MediaMetrics::MediaMetrics(obs::Registry& registry)
    : rtpPacketsIn_(
          registry.counter("pulsemeet_media_rtp_packets_received_total",
                           "RTP packets received from publishers (RTX repairs included)")),
      rtpBytesIn_(registry.counter("pulsemeet_media_rtp_bytes_received_total",
                                   "Plain RTP bytes received from publishers")),
      rtpPacketsOut_(registry.counter("pulsemeet_media_rtp_packets_sent_total",
                                      "RTP packets forwarded to subscribers (retransmissions "
                                      "included)")),
      rtpBytesOut_(registry.counter("pulsemeet_media_rtp_bytes_sent_total",
                                    "Plain RTP bytes forwarded to subscribers")),
      nacksReceived_(registry.counter("pulsemeet_media_nacks_received_total",
                                      "RTCP NACK packets received from subscribers")),
      nacksSent_(registry.counter("pulsemeet_media_nacks_sent_total",
                                  "RTCP NACK packets sent to publishers for packets lost on the "
                                  "way in")),
      retransmissions_(registry.counter("pulsemeet_media_retransmissions_total",
                                        "Packets resent to subscribers for their NACKs")),
      retransmissionsMissed_(registry.counter(
          "pulsemeet_media_retransmissions_missed_total",
          "Packets subscribers NACKed that could not be resent (not kept, older than 2 s)")),
      plisReceived_(registry.counter("pulsemeet_media_plis_received_total",
                                     "Keyframe requests (PLI, FIR) received from subscribers")),
      plisSent_(registry.counter("pulsemeet_media_plis_sent_total",
                                 "Keyframe requests (PLI) sent to publishers, after the "
                                 "one-per-second throttle")),
      srtpFailures_(registry.counter("pulsemeet_media_srtp_failures_total",
                                     "SRTP/SRTCP packets that did not unprotect (dropped)")),
      testDropped_(registry.counter("pulsemeet_media_test_dropped_total",
                                    "Forwarded packets dropped on purpose "
                                    "(MEDIA_TEST_DROP_PERCENT, tests only)")),
      unroutable_(registry.counter("pulsemeet_media_unroutable_total",
                                   "RTP dropped: unknown SSRC, or a codec the subscriber lacks")),
      droppedUnknownSender_(registry.counter("pulsemeet_media_dropped_unknown_sender_total",
                                             "Datagrams on the media port from an address no "
                                             "transport knows (not STUN naming one of ours)")),
      stunRejected_(registry.counter("pulsemeet_media_stun_rejected_total",
                                     "Binding requests naming one of our ufrags that ICE refused "
                                     "(bad MESSAGE-INTEGRITY or FINGERPRINT, malformed)")),
      sendFailed_(registry.counter("pulsemeet_media_send_failed_total",
                                   "Datagrams the media socket refused to send")),
      sentSegmented_(registry.counter(
          "pulsemeet_media_segmented_datagrams_total",
          "Datagrams sent as segments of one UDP message (generic segmentation offload)")),
      closedHandshakeTimeout_(closes(registry, "handshake-timeout")),
      closedConsentLost_(closes(registry, "consent-lost")),
      closedDtlsFailed_(closes(registry, "dtls-failed")),
      closedPeerClosed_(closes(registry, "peer-closed")),
      closedByServer_(closes(registry, "closed-by-server")),
      forwarding_(registry.histogram(
          "pulsemeet_media_forwarding_seconds",
          "Time from a packet's arrival at the router to its last subscriber's send",
          forwardingBounds())),
      transports_(
          registry.gauge("pulsemeet_media_transports", "Clients' connections to the media server")),
      producers_(registry.gauge("pulsemeet_media_producers", "Tracks received from publishers")),
      forwardedStreams_(registry.gauge("pulsemeet_media_forwarded_streams",
                                       "Forwarded streams, one per (subscriber, track)")),
      rooms_(registry.gauge("pulsemeet_media_rooms", "Rooms on the media server")),
      tcp_(registry) {}

namespace {

// Counters read from the media threads only grow; a smaller reading (never expected) adds 0.
void grow(obs::Counter& counter, std::uint64_t now, std::uint64_t before) {
    if (now > before) counter.inc(now - before);
}

}  // namespace

void MediaMetrics::update(const media::SfuStats& stats) {
    const std::scoped_lock lock(mutex_);
    grow(rtpPacketsIn_, stats.rtpPacketsIn, last_.rtpPacketsIn);
    grow(rtpBytesIn_, stats.rtpBytesIn, last_.rtpBytesIn);
    grow(rtpPacketsOut_, stats.rtpPacketsOut, last_.rtpPacketsOut);
    grow(rtpBytesOut_, stats.rtpBytesOut, last_.rtpBytesOut);
    grow(nacksReceived_, stats.nacksReceived, last_.nacksReceived);
    grow(nacksSent_, stats.nacksSent, last_.nacksSent);
    grow(retransmissions_, stats.retransmissions, last_.retransmissions);
    grow(retransmissionsMissed_, stats.retransmissionsMissed, last_.retransmissionsMissed);
    grow(plisReceived_, stats.plisReceived, last_.plisReceived);
    grow(plisSent_, stats.plisSent, last_.plisSent);
    grow(srtpFailures_, stats.srtpFailures, last_.srtpFailures);
    grow(testDropped_, stats.testDropped, last_.testDropped);
    grow(unroutable_, stats.unroutable, last_.unroutable);
    grow(droppedUnknownSender_, stats.droppedUnknownSender, last_.droppedUnknownSender);
    grow(stunRejected_, stats.stunRejected, last_.stunRejected);
    grow(sendFailed_, stats.sendFailed, last_.sendFailed);
    grow(sentSegmented_, stats.sentSegmented, last_.sentSegmented);
    const auto& closed = stats.transportsClosed;
    const auto& closedBefore = last_.transportsClosed;
    grow(closedHandshakeTimeout_, closed.handshakeTimeout, closedBefore.handshakeTimeout);
    grow(closedConsentLost_, closed.consentLost, closedBefore.consentLost);
    grow(closedDtlsFailed_, closed.dtlsFailed, closedBefore.dtlsFailed);
    grow(closedPeerClosed_, closed.peerClosed, closedBefore.peerClosed);
    grow(closedByServer_, closed.closedByServer, closedBefore.closedByServer);
    std::vector<double> increments(media::ForwardingHistogram::kBucketCount);
    bool observed = false;
    for (std::size_t i = 0; i < increments.size(); ++i) {
        const auto now = stats.forwarding.buckets[i];
        const auto before = last_.forwarding.buckets[i];
        increments[i] = now > before ? static_cast<double>(now - before) : 0.0;
        observed = observed || now > before;
    }
    if (observed) {
        const auto sum = stats.forwarding.sumNanoseconds - last_.forwarding.sumNanoseconds;
        forwarding_.observeMany(increments, static_cast<double>(sum) / 1e9);
    }
    transports_.set(static_cast<std::int64_t>(stats.transports));
    producers_.set(static_cast<std::int64_t>(stats.producers));
    forwardedStreams_.set(static_cast<std::int64_t>(stats.forwardedStreams));
    rooms_.set(static_cast<std::int64_t>(stats.rooms));
    tcp_.update(stats.tcp, last_.tcp);
    last_ = stats;
}

}  // namespace pulsemeet::app
