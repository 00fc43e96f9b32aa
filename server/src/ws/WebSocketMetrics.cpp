#include "ws/WebSocketMetrics.hpp"

#include <string>

namespace pulsemeet::ws {

std::string_view toString(CloseReason reason) {
    switch (reason) {
        case CloseReason::client:
            return "client";
        case CloseReason::pingTimeout:
            return "ping_timeout";
        case CloseReason::rateLimited:
            return "rate_limited";
        case CloseReason::tooLarge:
            return "too_large";
        case CloseReason::invalidUtf8:
            return "invalid_utf8";
        case CloseReason::slowConsumer:
            return "slow_consumer";
        case CloseReason::drain:
            return "drain";
        case CloseReason::error:
            return "error";
    }
    return "error";
}

WebSocketMetrics::WebSocketMetrics(obs::Registry& registry)
    : open(registry.gauge("pulsemeet_websocket_connections", "Open WebSocket connections")),
      accepted(registry.counter("pulsemeet_websocket_connections_total",
                                "WebSocket upgrades accepted")) {
    for (std::size_t i = 0; i < kCloseReasonCount; ++i) {
        closes_[i] = &registry.counter(
            "pulsemeet_websocket_closes_total", "WebSocket connections closed, by reason",
            {{"reason", std::string(toString(static_cast<CloseReason>(i)))}});
    }
}

}  // namespace pulsemeet::ws
