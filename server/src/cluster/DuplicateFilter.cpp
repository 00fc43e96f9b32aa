#include "cluster/DuplicateFilter.hpp"

namespace pulsemeet::cluster {

bool DuplicateFilter::firstSighting(const std::string& source, const std::string& roomId,
                                    std::uint64_t sequence) {
    std::lock_guard lock(mutex_);
    auto& highest = highest_[roomId][source];
    if (sequence <= highest) return false;
    highest = sequence;
    return true;
}

void DuplicateFilter::forgetRoom(const std::string& roomId) {
    std::lock_guard lock(mutex_);
    highest_.erase(roomId);
}

}  // namespace pulsemeet::cluster
