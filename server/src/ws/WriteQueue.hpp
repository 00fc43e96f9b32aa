#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <utility>

#include "wire/SharedMessage.hpp"

namespace pulsemeet::ws {

// A session's outgoing messages, oldest first. The oldest sits in a slot of its own and only a
// backlog goes into a deque, created when one forms: at 20 frames a second a socket's queue
// holds one frame at a time, and libstdc++'s std::deque allocates its map and a 512-byte block
// as soon as it exists (two allocations and two frees per relayed frame if it came and went
// with every frame; ~0.6 KiB of every idle connection's RSS if it stayed).
class WriteQueue {
  public:
    using Message = wire::SharedMessage;

    bool empty() const { return !oldest_; }
    std::size_t size() const { return !oldest_ ? 0 : 1 + (backlog_ ? backlog_->size() : 0); }

    void push_back(Message message) {
        if (!oldest_) {
            oldest_ = std::move(message);
            return;
        }
        if (!backlog_) backlog_.emplace();
        backlog_->push_back(std::move(message));
    }
    const Message& front() const { return oldest_; }
    const Message& back() const { return backlog_ ? backlog_->back() : oldest_; }
    void pop_front() {
        if (!backlog_) {
            oldest_.reset();
            return;
        }
        oldest_ = std::move(backlog_->front());
        backlog_->pop_front();
        releaseIfEmpty();
    }
    void pop_back() {
        if (!backlog_) {
            oldest_.reset();
            return;
        }
        backlog_->pop_back();
        releaseIfEmpty();
    }
    void clear() {
        oldest_.reset();
        backlog_.reset();
    }

  private:
    void releaseIfEmpty() {
        if (backlog_->empty()) backlog_.reset();
    }

    Message oldest_;                              // null: the queue is empty
    std::optional<std::deque<Message>> backlog_;  // never engaged and empty
};

}  // namespace pulsemeet::ws
