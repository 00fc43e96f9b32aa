#pragma once

#include "obs/Metrics.hpp"

namespace pulsemeet::cluster {

// The Redis bus's metrics, looked up once.
struct BusMetrics {
    explicit BusMetrics(obs::Registry& registry);

    obs::Gauge& up;           // 1 while both the command and the subscriber connections work
    obs::Counter& published;  // events handed to Redis
    obs::Counter& batches;    // round trips that carried several of them
    obs::Counter& received;   // events from other instances on subscribed channels
    obs::Counter& dropped;    // events that could not cross (buffer full or deadline passed)
    // Events this instance gave up on before they crossed, by kind: relays past their deadline
    // (their senders were told peer-unreachable), and joined/left/media still unheard by a
    // subscribed receiver after the hold limit (the receiver reconciles when it is back).
    obs::Counter& expiredRelays;
    obs::Counter& expiredMembership;
    obs::Counter& expiredMedia;
    obs::Counter& duplicates;  // received copies of events already delivered (dropped)
    obs::Counter& stale;       // received relays already past their deadline (dropped)
    obs::Counter& reconnects;  // connections (re)established after a failure
    obs::Counter& evicted;     // peers of dead instances removed from rooms by this instance
    // Rooms whose media this instance became the owner of, and of those the ones taken over
    // from an instance presumed dead.
    obs::Counter& mediaClaims;
    obs::Counter& mediaTakeovers;
    obs::Gauge& subscriptions;  // room channels this instance is subscribed to
    obs::Gauge& buffered;       // events waiting for Redis or for their receiver to subscribe
};

}  // namespace pulsemeet::cluster
