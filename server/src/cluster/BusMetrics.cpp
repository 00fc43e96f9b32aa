#include "cluster/BusMetrics.hpp"

namespace pulsemeet::cluster {

BusMetrics::BusMetrics(obs::Registry& registry)
    : up(registry.gauge("pulsemeet_redis_up", "1 while the Redis bus is connected")),
      published(
          registry.counter("pulsemeet_redis_published_total", "Room events published to Redis")),
      batches(registry.counter("pulsemeet_redis_publish_batches_total",
                               "Round trips to Redis that published several room events at once")),
      received(registry.counter("pulsemeet_redis_received_total",
                                "Room events received from other instances")),
      dropped(registry.counter("pulsemeet_redis_dropped_total",
                               "Room events that could not reach another instance")),
      expiredRelays(registry.counter("pulsemeet_redis_expired_events_total",
                                     "Room events given up on before they crossed, by kind",
                                     {{"kind", "relay"}})),
      expiredMembership(registry.counter("pulsemeet_redis_expired_events_total",
                                         "Room events given up on before they crossed, by kind",
                                         {{"kind", "membership"}})),
      expiredMedia(registry.counter("pulsemeet_redis_expired_events_total",
                                    "Room events given up on before they crossed, by kind",
                                    {{"kind", "media"}})),
      duplicates(registry.counter("pulsemeet_redis_duplicate_events_total",
                                  "Copies of room events already received, dropped")),
      stale(registry.counter("pulsemeet_redis_stale_events_total",
                             "Relays received after their deadline, dropped")),
      reconnects(registry.counter("pulsemeet_redis_connects_total",
                                  "Redis connections established (first and after failures)")),
      evicted(registry.counter("pulsemeet_redis_evicted_peers_total",
                               "Peers of dead instances removed from rooms by this instance")),
      mediaClaims(registry.counter(
          "pulsemeet_redis_media_owner_claims_total",
          "Rooms on the media server this instance became the owner of (takeovers included)")),
      mediaTakeovers(registry.counter(
          "pulsemeet_redis_media_takeovers_total",
          "Rooms on the media server this instance took over from an instance presumed dead")),
      subscriptions(registry.gauge("pulsemeet_redis_subscriptions",
                                   "Room channels this instance is subscribed to")),
      buffered(registry.gauge("pulsemeet_redis_buffered_events",
                              "Events waiting for Redis or for a receiver to subscribe")) {}

}  // namespace pulsemeet::cluster
