#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "media/Sfu.hpp"

// Which track goes where, decided afresh on every offer but kept stable across offers: the
// sources of a client's sending sections, and the publisher tracks on its recvonly sections.
// Pure functions of the offer and the previous decision, so that the rules are tested alone.
namespace pulsemeet::media {

struct TrackKey {
    std::string publisherId;
    TrackSource source = TrackSource::camera;

    friend bool operator==(const TrackKey&, const TrackKey&) = default;
};

// "audio" for a microphone, "video" for a camera or a screen.
std::string_view kindOf(TrackSource source);

struct OfferedSection {
    std::string mid;
    std::string kind;  // "audio" or "video"
};

// The source of each sending section (by mid). A mid keeps the source it had while it keeps
// sending; a new one takes the first free source of its kind in offer order: audio the
// microphone; video the camera, then the screen. Sections beyond those get none.
std::map<std::string, TrackSource> assignSources(
    const std::vector<OfferedSection>& sendingInOrder,
    const std::map<std::string, TrackSource>& previous);

// The track on each recvonly section (mid -> track). A section keeps its track while the track
// is available and the section still offered; free sections (in offer order) take available
// tracks not yet placed (in `available` order) of their kind. Tracks that find no section stay
// unplaced until the client offers more sections.
std::vector<std::pair<std::string, TrackKey>> mapReceiveSections(
    const std::vector<OfferedSection>& receivingInOrder,
    const std::vector<std::pair<std::string, TrackKey>>& previous,
    const std::vector<TrackKey>& available);

}  // namespace pulsemeet::media
