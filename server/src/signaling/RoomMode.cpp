#include "signaling/RoomMode.hpp"

namespace pulsemeet::signaling {

namespace {
// At most this many members, an sfu room starts its way back to the mesh: two people gain
// nothing from a server in the middle.
constexpr std::size_t kSmallRoom = 2;
}  // namespace

std::string_view toString(RoomMode mode) {
    return mode == RoomMode::sfu ? "sfu" : "mesh";
}

RoomMode RoomModeRule::decide(RoomMode current, const RoomFacts& facts, Clock::time_point now,
                              std::optional<Clock::time_point>& smallSince) const {
    // Any member that cannot use the media server, or no media server, or members on other
    // instances (which cannot reach this instance's media server): the mesh, at once.
    if (options_.policy == SfuPolicy::never || !facts.mediaServer || facts.otherInstances ||
        !facts.everyMemberCapable || facts.members == 0) {
        smallSince.reset();
        return RoomMode::mesh;
    }
    if (options_.policy == SfuPolicy::always) {
        smallSince.reset();
        return RoomMode::sfu;
    }
    // With automatic placement, a pair that cannot connect directly keeps the room on the media
    // server for as long as both are in it, whatever its size.
    if (facts.meshUnreachable) {
        smallSince.reset();
        return RoomMode::sfu;
    }
    if (current == RoomMode::mesh) {
        return facts.members > options_.meshMaxPeers ? RoomMode::sfu : RoomMode::mesh;
    }
    // sfu, automatic: back to the mesh only once the room has stayed small for the hold-off,
    // so people coming and going around the threshold do not switch everyone back and forth.
    if (facts.members > kSmallRoom) {
        smallSince.reset();
        return RoomMode::sfu;
    }
    if (!smallSince) smallSince = now;
    if (now - *smallSince >= options_.meshReturn) {
        smallSince.reset();
        return RoomMode::mesh;
    }
    return RoomMode::sfu;
}

}  // namespace pulsemeet::signaling
