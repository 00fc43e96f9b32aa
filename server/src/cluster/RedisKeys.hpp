#pragma once

#include <string>

namespace pulsemeet::cluster {

// Names in Redis. Every key and channel of a room carries the room in a hash tag `{room}`, so on
// Redis Cluster a room's membership hash and channel live in one slot and the Lua scripts that
// touch one room stay single-slot. Instance keys carry the instance id as their tag.
class RedisKeys {
  public:
    explicit RedisKeys(std::string prefix) : prefix_(std::move(prefix)) {}

    // Hash: peerId -> MemberEntry text.
    std::string members(const std::string& roomId) const {
        return prefix_ + ":{" + roomId + "}:members";
    }
    std::string channel(const std::string& roomId) const {
        return prefix_ + ":{" + roomId + "}:events";
    }
    // String with a TTL: the instance whose media server serves the room (see "Rooms on the
    // media server across instances"), refreshed by the owner's heartbeat.
    std::string mediaOwner(const std::string& roomId) const {
        return prefix_ + ":{" + roomId + "}:media-owner";
    }
    // The room a channel name belongs to; empty when it is not one of ours.
    std::string roomOfChannel(const std::string& channel) const {
        const std::string head = prefix_ + ":{";
        const std::string tail = "}:events";
        if (channel.size() <= head.size() + tail.size() || channel.rfind(head, 0) != 0 ||
            channel.compare(channel.size() - tail.size(), tail.size(), tail) != 0) {
            return {};
        }
        return channel.substr(head.size(), channel.size() - head.size() - tail.size());
    }
    // String with a TTL, refreshed while the instance lives.
    std::string heartbeat(const std::string& instanceId) const {
        return prefix_ + ":instance:{" + instanceId + "}";
    }

    // String with a TTL: the nonce of the peer's current resume token, or a tombstone once the
    // place was released (see signaling::ResumeTokens). One key per peer: its scripts are
    // single-key, so any slot will do.
    std::string resume(const std::string& peerId) const { return prefix_ + ":resume:" + peerId; }

  private:
    std::string prefix_;
};

}  // namespace pulsemeet::cluster
