#pragma once

#include <string_view>

#include "obs/Metrics.hpp"

namespace pulsemeet::ws {

// Why a WebSocket ended, as counted in pulsemeet_websocket_closes_total{reason}.
enum class CloseReason {
    client,        // the client closed or went away
    pingTimeout,   // silent for PONG_TIMEOUT_SECONDS
    rateLimited,   // 1008
    tooLarge,      // 1009
    invalidUtf8,   // 1007
    slowConsumer,  // 1013: its write queue overflowed
    drain,         // 1012: server shutting down
    error,         // a transport error
};
inline constexpr std::size_t kCloseReasonCount = 8;
std::string_view toString(CloseReason reason);

struct WebSocketMetrics {
    explicit WebSocketMetrics(obs::Registry& registry);
    obs::Counter& closes(CloseReason reason) { return *closes_[static_cast<std::size_t>(reason)]; }

    obs::Gauge& open;
    obs::Counter& accepted;

  private:
    obs::Counter* closes_[kCloseReasonCount]{};
};

}  // namespace pulsemeet::ws
