#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// Last-N (Jitsi's name): in a big room each viewer receives the cameras of the N people who
// spoke most recently, plus the ones it pinned, and not the others (their tiles show an avatar).
// Screen shares and microphones follow their own rules (RoomForwarding).
namespace pulsemeet::media {

// The publishers whose camera `viewerId` receives, in `recentSpeakers` order: the first `lastN`
// of `recentSpeakers` other than the viewer, then every pinned one not already in. Pins of
// peers not in `recentSpeakers` (gone) are ignored.
std::vector<std::string> lastNCameras(std::span<const std::string> recentSpeakers,
                                      std::string_view viewerId,
                                      std::span<const std::string> pinned, std::size_t lastN);

}  // namespace pulsemeet::media
