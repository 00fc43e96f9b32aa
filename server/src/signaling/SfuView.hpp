#pragma once

#include <boost/json/object.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "wire/Protocol.hpp"

// sfu-view (docs/protocol.md, "Rooms on the media server"): how a viewer shows each remote video
// now. Its size part is for simulcast's layer choice; `pinned` is for last-N (a pinned camera
// is forwarded whatever last-N says).
namespace pulsemeet::signaling {

struct SfuViewEntry {
    std::string peerId;
    std::string source;  // "camera" | "screen"
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    bool pinned = false;
};

// Entries at most (2 x the largest MAX_PEERS_PER_ROOM; the hub checks the configured one).
inline constexpr std::size_t kMaxSfuViewEntries = 2000;
inline constexpr std::uint32_t kMaxSfuViewPixels = 8192;

// {type, views: [{peerId, source, width, height, pinned?}]}; nullopt and `views` filled, or the
// bad-message refusal.
std::optional<wire::SignalError> decodeSfuView(const boost::json::object& envelope,
                                               std::vector<SfuViewEntry>& views);

}  // namespace pulsemeet::signaling
