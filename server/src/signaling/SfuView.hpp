#pragma once

#include <boost/json/object.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "signaling/MediaServerPort.hpp"
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

// What the media server is told (MediaServerPort::setViews).
std::vector<MediaView> mediaViews(const std::vector<SfuViewEntry>& views);

// The views as JSON (`{"views":[...]}`, the message's own shape), for the media owner on another
// instance (cluster::MediaSignal's payload), and back through decodeSfuView; a payload that does
// not decode gives no views.
std::string encodeSfuViews(const std::vector<SfuViewEntry>& views);
std::vector<SfuViewEntry> decodeSfuViews(std::string_view payload);

}  // namespace pulsemeet::signaling
