#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "signaling/Protocol.hpp"

namespace pulsemeet::signaling {

// A serialised outbound message, shared by every recipient of a fan-out.
using SharedMessage = std::shared_ptr<const std::string>;

inline SharedMessage share(std::string text) {
    return std::make_shared<const std::string>(std::move(text));
}

// The hub's handle on one connected client. Implementations must not call back into the hub
// from these methods: the hub calls them while holding its lock.
class PeerLink {
  public:
    virtual ~PeerLink() = default;
    // Queues a message; a receiver that cannot keep up is closed (1013), never silently skipped.
    virtual void deliver(SharedMessage message) = 0;
    virtual void close(CloseCode code, std::string_view reason) = 0;
};

}  // namespace pulsemeet::signaling
