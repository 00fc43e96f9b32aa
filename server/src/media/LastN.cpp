#include "media/LastN.hpp"

#include <algorithm>

namespace pulsemeet::media {

std::vector<std::string> lastNCameras(std::span<const std::string> recentSpeakers,
                                      std::string_view viewerId,
                                      std::span<const std::string> pinned, std::size_t lastN) {
    std::vector<std::string> out;
    std::size_t taken = 0;
    for (const auto& peerId : recentSpeakers) {
        if (peerId == viewerId) continue;
        const bool isPinned = std::find(pinned.begin(), pinned.end(), peerId) != pinned.end();
        if (taken < lastN) {
            ++taken;
            out.push_back(peerId);
        } else if (isPinned) {
            out.push_back(peerId);
        }
    }
    return out;
}

}  // namespace pulsemeet::media
