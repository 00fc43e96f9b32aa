#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>

// How a room's media travels (docs/protocol.md, "Rooms on the media server"), and the rule that
// decides it. The rule is a pure function of what the hub knows, so it is tested on its own.
namespace pulsemeet::signaling {

enum class RoomMode { mesh, sfu };

std::string_view toString(RoomMode mode);

// SFU_MODE: when rooms use the media server.
enum class SfuPolicy {
    automatic,  // above meshMaxPeers members, back to mesh after the hold-off
    always,     // from the first member
    never,      // every room stays mesh
};

struct RoomModeOptions {
    SfuPolicy policy = SfuPolicy::automatic;
    std::size_t meshMaxPeers = 4;                     // MESH_MAX_PEERS
    std::chrono::steady_clock::duration meshReturn =  // MESH_RETURN_SECONDS
        std::chrono::seconds(10);
};

// What the rule looks at.
struct RoomFacts {
    std::size_t members = 0;
    bool everyMemberCapable = false;  // every member joined with data.sfu: true
    bool mediaServer = false;         // the hub has a media server
    bool otherInstances = false;      // rooms are shared with other instances (Redis bus)
    // Two members reported they cannot connect to each other directly, and there is no TURN
    // relay to help (mesh-unreachable): the media server is the only way they see each other.
    bool meshUnreachable = false;
};

class RoomModeRule {
  public:
    using Clock = std::chrono::steady_clock;

    explicit RoomModeRule(RoomModeOptions options) : options_(options) {}

    // The mode a room in `current` mode should have at `now`. `smallSince` is the room's
    // hold-off record (when it dropped to two members or fewer in sfu mode); the rule starts,
    // cancels and ends it.
    RoomMode decide(RoomMode current, const RoomFacts& facts, Clock::time_point now,
                    std::optional<Clock::time_point>& smallSince) const;

    const RoomModeOptions& options() const { return options_; }

  private:
    RoomModeOptions options_;
};

}  // namespace pulsemeet::signaling
