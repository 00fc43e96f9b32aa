#pragma once

#include <string_view>

#include "wire/Protocol.hpp"
#include "wire/SharedMessage.hpp"

namespace pulsemeet::signaling {

// The hub's handle on one connected client. Implementations must not call back into the hub
// from these methods: the hub calls them while holding its lock.
class PeerLink {
  public:
    virtual ~PeerLink() = default;
    // Queues a message; a receiver that cannot keep up is closed (1013), never silently skipped.
    virtual void deliver(wire::SharedMessage message) = 0;
    virtual void close(wire::CloseCode code, std::string_view reason) = 0;
};

}  // namespace pulsemeet::signaling
