#pragma once

namespace pulsemeet::net {

// What a listener answers: everything (the main port), or only /metrics and /healthz (the
// METRICS_LISTEN port, so scrapers can be let in on an address the public never reaches).
enum class Endpoints { all, metricsOnly };

}  // namespace pulsemeet::net
