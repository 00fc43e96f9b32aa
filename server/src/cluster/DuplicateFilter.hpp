#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace pulsemeet::cluster {

// Drops room events a receiving instance has already seen. Every instance numbers the events it
// queues in one increasing sequence, and publishes a room's events in that order (a room's later
// events wait behind one that is held), so within one (sending instance, room) an event at or
// below the highest number seen is a second copy: a publish re-sent after a lost connection
// whose first copy Redis still ran (a frozen Redis keeps the bytes it was sent). The window is one
// number per (sender, room); a room is forgotten when this instance stops receiving it.
// Thread-safe.
class DuplicateFilter {
  public:
    // True the first time (source, room, sequence) is seen; false for a copy, or for an event
    // older than one already delivered from the same sender and room.
    bool firstSighting(const std::string& source, const std::string& roomId,
                       std::uint64_t sequence);
    void forgetRoom(const std::string& roomId);

  private:
    std::mutex mutex_;
    std::map<std::string, std::map<std::string, std::uint64_t>> highest_;  // room -> source -> seq
};

}  // namespace pulsemeet::cluster
