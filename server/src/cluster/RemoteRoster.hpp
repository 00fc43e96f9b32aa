#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cluster/Bus.hpp"

namespace pulsemeet::cluster {

// Peers on other instances in the rooms this instance has local peers in: filled from Redis at
// join and kept fresh by the room channels. Only rooms with local peers are kept, because only
// those rooms' channels are subscribed. Thread-safe; never calls out while locked.
class RemoteRoster {
  public:
    struct Entry {
        std::string instance;
        std::string name;
        std::string mediaJson;
    };

    void add(const std::string& roomId, const std::string& peerId, Entry entry);
    // True when the peer was known (so a departure is announced locally exactly once).
    bool remove(const std::string& roomId, const std::string& peerId);
    void setMedia(const std::string& roomId, const std::string& peerId, const std::string& media);
    bool contains(const std::string& roomId, const std::string& peerId) const;
    std::size_t count(const std::string& roomId) const;
    std::vector<RemotePeer> peers(const std::string& roomId) const;
    std::set<std::string> instances() const;
    // (roomId, peerId) of every known peer of `instance`.
    std::vector<std::pair<std::string, std::string>> peersOf(const std::string& instance) const;
    void forgetRoom(const std::string& roomId);

  private:
    mutable std::mutex mutex_;
    std::map<std::string, std::map<std::string, Entry>> rooms_;
};

}  // namespace pulsemeet::cluster
