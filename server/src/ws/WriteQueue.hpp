#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <utility>

#include "signaling/PeerLink.hpp"

namespace pulsemeet::ws {

// A session's outgoing messages, oldest first. Holds no storage while empty: libstdc++'s
// std::deque allocates its map and a 512-byte block even when default-constructed, and an idle
// socket's queue is empty almost all of its life (~0.6 KiB of every idle connection's RSS).
// Re-allocating when a burst starts costs two small allocations, not measurable in the relay
// profile next to the send that follows.
class WriteQueue {
  public:
    using Message = signaling::SharedMessage;

    bool empty() const { return !items_ || items_->empty(); }
    std::size_t size() const { return items_ ? items_->size() : 0; }

    void push_back(Message message) {
        if (!items_) items_.emplace();
        items_->push_back(std::move(message));
    }
    const Message& front() const { return items_->front(); }
    const Message& back() const { return items_->back(); }
    void pop_front() {
        items_->pop_front();
        releaseIfEmpty();
    }
    void pop_back() {
        items_->pop_back();
        releaseIfEmpty();
    }
    void clear() { items_.reset(); }

  private:
    void releaseIfEmpty() {
        if (items_->empty()) items_.reset();
    }

    std::optional<std::deque<Message>> items_;
};

}  // namespace pulsemeet::ws
