#include "media/TrackMapping.hpp"

#include <algorithm>
#include <array>

namespace pulsemeet::media {

std::string_view kindOf(TrackSource source) {
    return source == TrackSource::microphone ? "audio" : "video";
}

std::map<std::string, TrackSource> assignSources(
    const std::vector<OfferedSection>& sendingInOrder,
    const std::map<std::string, TrackSource>& previous) {
    std::map<std::string, TrackSource> sources;
    const auto taken = [&](TrackSource source) {
        return std::any_of(sources.begin(), sources.end(),
                           [&](const auto& entry) { return entry.second == source; });
    };
    for (const auto& section : sendingInOrder) {
        const auto kept = previous.find(section.mid);
        if (kept != previous.end() && kindOf(kept->second) == section.kind)
            sources.emplace(section.mid, kept->second);
    }
    static constexpr std::array kOrder = {TrackSource::microphone, TrackSource::camera,
                                          TrackSource::screen};
    for (const auto& section : sendingInOrder) {
        if (sources.contains(section.mid)) continue;
        for (const auto source : kOrder) {
            if (kindOf(source) == section.kind && !taken(source)) {
                sources.emplace(section.mid, source);
                break;
            }
        }
    }
    return sources;
}

std::vector<std::pair<std::string, TrackKey>> mapReceiveSections(
    const std::vector<OfferedSection>& receivingInOrder,
    const std::vector<std::pair<std::string, TrackKey>>& previous,
    const std::vector<TrackKey>& available) {
    std::vector<std::pair<std::string, TrackKey>> mapping;
    const auto isAvailable = [&](const TrackKey& key) {
        return std::find(available.begin(), available.end(), key) != available.end();
    };
    const auto placed = [&](const TrackKey& key) {
        return std::any_of(mapping.begin(), mapping.end(),
                           [&](const auto& entry) { return entry.second == key; });
    };
    std::vector<const OfferedSection*> free;
    for (const auto& section : receivingInOrder) {
        const auto kept = std::find_if(previous.begin(), previous.end(), [&](const auto& entry) {
            return entry.first == section.mid;
        });
        if (kept != previous.end() && isAvailable(kept->second) &&
            kindOf(kept->second.source) == section.kind && !placed(kept->second)) {
            mapping.emplace_back(section.mid, kept->second);
        } else {
            free.push_back(&section);
        }
    }
    for (const auto& key : available) {
        if (placed(key)) continue;
        const auto slot = std::find_if(free.begin(), free.end(), [&](const OfferedSection* s) {
            return s->kind == kindOf(key.source);
        });
        if (slot == free.end()) continue;
        mapping.emplace_back((*slot)->mid, key);
        free.erase(slot);
    }
    // In the offer's order, as the answer lists them.
    std::vector<std::pair<std::string, TrackKey>> ordered;
    for (const auto& section : receivingInOrder) {
        const auto found = std::find_if(mapping.begin(), mapping.end(), [&](const auto& entry) {
            return entry.first == section.mid;
        });
        if (found != mapping.end()) ordered.push_back(*found);
    }
    return ordered;
}

}  // namespace pulsemeet::media
