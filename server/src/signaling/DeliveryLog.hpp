#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

#include "signaling/PeerLink.hpp"
#include "wire/Protocol.hpp"

namespace pulsemeet::signaling {

// The room traffic sent to one client lately that it has not yet acknowledged. A message written
// into a socket that is dying is not an error the server ever sees: the client just never reads
// it. A client that counts what it received (join's and ping's `data.received`) lets a resume
// replay exactly the messages it missed, from this log, before those held for it while away.
class DeliveryLog {
  public:
    using Entry = std::pair<wire::MessageType, wire::SharedMessage>;

    // Kept at most; beyond that the oldest unacknowledged entries are forgotten, and a client
    // that needs them back cannot resume seamlessly (see firstIndex()).
    static constexpr std::size_t kMaxEntries = 128;
    static constexpr std::size_t kMaxBytes = 128 * 1024;

    void record(wire::MessageType type, const wire::SharedMessage& message);
    // The client has received the first `received` messages of this stream.
    void acknowledge(std::uint64_t received);

    // Stream index of entries().front(): messages before it were acknowledged or forgotten.
    std::uint64_t firstIndex() const { return first_; }
    // How many messages were recorded in all.
    std::uint64_t sent() const { return first_ + entries_.size(); }
    std::deque<Entry> release() { return std::move(entries_); }

  private:
    std::deque<Entry> entries_;
    std::uint64_t first_ = 0;
    std::size_t bytes_ = 0;
};

}  // namespace pulsemeet::signaling
