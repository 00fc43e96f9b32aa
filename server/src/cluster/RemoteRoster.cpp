#include "cluster/RemoteRoster.hpp"

namespace pulsemeet::cluster {

void RemoteRoster::add(const std::string& roomId, const std::string& peerId, Entry entry) {
    std::lock_guard lock(mutex_);
    rooms_[roomId].insert_or_assign(peerId, std::move(entry));
}

bool RemoteRoster::remove(const std::string& roomId, const std::string& peerId) {
    std::lock_guard lock(mutex_);
    const auto room = rooms_.find(roomId);
    if (room == rooms_.end() || room->second.erase(peerId) == 0) return false;
    if (room->second.empty()) rooms_.erase(room);
    return true;
}

void RemoteRoster::setMedia(const std::string& roomId, const std::string& peerId,
                            const std::string& media) {
    std::lock_guard lock(mutex_);
    const auto room = rooms_.find(roomId);
    if (room == rooms_.end()) return;
    if (const auto peer = room->second.find(peerId); peer != room->second.end()) {
        peer->second.mediaJson = media;
    }
}

bool RemoteRoster::contains(const std::string& roomId, const std::string& peerId) const {
    std::lock_guard lock(mutex_);
    const auto room = rooms_.find(roomId);
    return room != rooms_.end() && room->second.contains(peerId);
}

std::size_t RemoteRoster::count(const std::string& roomId) const {
    std::lock_guard lock(mutex_);
    const auto room = rooms_.find(roomId);
    return room == rooms_.end() ? 0 : room->second.size();
}

std::vector<RemotePeer> RemoteRoster::peers(const std::string& roomId) const {
    std::lock_guard lock(mutex_);
    std::vector<RemotePeer> result;
    if (const auto room = rooms_.find(roomId); room != rooms_.end()) {
        for (const auto& [peerId, entry] : room->second) {
            result.push_back({peerId, entry.name, entry.mediaJson});
        }
    }
    return result;
}

std::set<std::string> RemoteRoster::instances() const {
    std::lock_guard lock(mutex_);
    std::set<std::string> result;
    for (const auto& [roomId, peers] : rooms_) {
        for (const auto& [peerId, entry] : peers) result.insert(entry.instance);
    }
    return result;
}

std::vector<std::pair<std::string, std::string>> RemoteRoster::peersOf(
    const std::string& instance) const {
    std::lock_guard lock(mutex_);
    std::vector<std::pair<std::string, std::string>> result;
    for (const auto& [roomId, peers] : rooms_) {
        for (const auto& [peerId, entry] : peers) {
            if (entry.instance == instance) result.emplace_back(roomId, peerId);
        }
    }
    return result;
}

void RemoteRoster::forgetRoom(const std::string& roomId) {
    std::lock_guard lock(mutex_);
    rooms_.erase(roomId);
}

}  // namespace pulsemeet::cluster
