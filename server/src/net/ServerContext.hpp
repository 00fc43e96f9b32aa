#pragma once

#include "auth/IceServers.hpp"
#include "config/Config.hpp"
#include "net/AccessGate.hpp"
#include "net/ConnectionLimiter.hpp"
#include "net/HttpRateLimiter.hpp"
#include "net/OriginPolicy.hpp"
#include "net/Readiness.hpp"
#include "net/StaticFiles.hpp"
#include "obs/Logger.hpp"
#include "obs/Metrics.hpp"
#include "ws/WebSocketContext.hpp"

namespace pulsemeet::net {

// The shared state every HTTP session reads (Beast chat-multi's `shared_state`): built once by
// the application, alive for as long as any session.
struct ServerContext {
    const config::Config& config;
    obs::Logger& logger;
    obs::Registry& registry;
    HttpRateLimiter& rateLimiter;
    // TURN credentials from /ice-servers per address (MAX_TURN_CREDENTIALS_PER_IP_PER_MINUTE).
    HttpRateLimiter& turnCredentialLimiter;
    const OriginPolicy& originPolicy;
    const StaticFiles& staticFiles;
    const auth::IceServers& iceServers;
    const Readiness& readiness;
    const ws::WebSocketContext& webSocket;
    const AccessGate& accessGate;
    ConnectionLimiter& connectionLimiter;
};

}  // namespace pulsemeet::net
