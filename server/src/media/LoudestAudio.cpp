#include "media/LoudestAudio.hpp"

#include <algorithm>

namespace pulsemeet::media {

bool LoudestAudio::selected(const std::string& peerId) const {
    return std::find(selected_.begin(), selected_.end(), peerId) != selected_.end();
}

bool LoudestAudio::update(const std::vector<std::pair<std::string, double>>& levels) {
    const auto levelOf = [&](const std::string& peerId) {
        for (const auto& [id, level] : levels)
            if (id == peerId) return level;
        return -1.0;  // gone
    };
    const auto before = selected_.size();
    std::erase_if(selected_, [&](const std::string& peerId) { return levelOf(peerId) < 0; });
    bool changed = selected_.size() != before;

    std::vector<std::pair<std::string, double>> challengers;
    for (const auto& [peerId, level] : levels)
        if (level >= options_.speechThreshold && !selected(peerId))
            challengers.emplace_back(peerId, level);
    // Loudest first; stable, so equal levels keep the room's order.
    std::stable_sort(challengers.begin(), challengers.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    for (const auto& [peerId, level] : challengers) {
        if (selected_.size() < options_.count) {
            selected_.push_back(peerId);
            changed = true;
            continue;
        }
        if (selected_.empty()) break;  // count 0
        const auto weakest = std::min_element(
            selected_.begin(), selected_.end(),
            [&](const std::string& a, const std::string& b) { return levelOf(a) < levelOf(b); });
        const double weakestLevel = levelOf(*weakest);
        if (weakestLevel < options_.speechThreshold ||
            level > weakestLevel * options_.switchRatio) {
            *weakest = peerId;
            changed = true;
        }
    }
    return changed;
}

}  // namespace pulsemeet::media
