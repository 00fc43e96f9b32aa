#pragma once

#include <chrono>
#include <cstddef>

namespace pulsemeet::obs {
class Logger;
}
namespace pulsemeet::signaling {
class Hub;
struct SignalingMetrics;
}  // namespace pulsemeet::signaling

namespace pulsemeet::ws {

struct WebSocketMetrics;

struct WebSocketSettings {
    std::size_t maxMessageBytes = 65536;
    std::size_t writeQueueBytes = 1 << 20;
    double messagesPerSecond = 30;
    std::chrono::seconds pingInterval{25};
    std::chrono::seconds pongTimeout{60};
    std::chrono::seconds closeTimeout{5};
};

// What every WebSocket session shares; owned by the application, outlives all sessions.
struct WebSocketContext {
    WebSocketSettings settings;
    signaling::Hub& hub;
    signaling::SignalingMetrics& signalingMetrics;
    WebSocketMetrics& metrics;
    obs::Logger& logger;
};

}  // namespace pulsemeet::ws
