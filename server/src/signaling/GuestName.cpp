#include "signaling/GuestName.hpp"

#include <algorithm>

namespace pulsemeet::signaling {

std::string guestName(const std::vector<std::string_view>& namesInRoom) {
    // n people hold at most n numbers, so one of 1..n+1 is free.
    for (std::size_t n = 1;; ++n) {
        std::string candidate = "Guest " + std::to_string(n);
        if (std::find(namesInRoom.begin(), namesInRoom.end(), candidate) == namesInRoom.end())
            return candidate;
    }
}

}  // namespace pulsemeet::signaling
