#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pulsemeet::signaling {

// The name the server gives someone who joins without one: "Guest N", N the smallest number from 1
// that no one in `namesInRoom` has, so two nameless people in a room are told apart ("Guest 1",
// "Guest 2") and a number frees up when its holder leaves.
std::string guestName(const std::vector<std::string_view>& namesInRoom);

}  // namespace pulsemeet::signaling
