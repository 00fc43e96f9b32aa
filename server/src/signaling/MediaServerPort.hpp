#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

// What the hub needs from the media server (docs/architecture.md, "Media server"), declared here
// so that signaling never includes the media area; the application adapts the media server to it.
namespace pulsemeet::signaling {

// "microphone" | "camera" | "screen", as on the wire (docs/protocol.md, "Rooms on the media
// server").
struct MediaTrack {
    std::string peerId;
    std::string source;
    std::string mid;  // only in answers: the subscriber's recvonly section that carries it
};

// One remote video as a viewer shows it (sfu-view); width 0: not shown.
struct MediaView {
    std::string peerId;
    std::string source;  // "camera" | "screen"
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    bool pinned = false;
};

struct MediaAnswer {
    bool ok = false;
    std::string sdp;
    std::vector<MediaTrack> tracks;
    std::string error;  // why the offer was refused (ok == false): sent with code invalid-sdp
};

class MediaServerPort {
  public:
    virtual ~MediaServerPort() = default;
    // Thread-safe; `done` runs later on another thread and may call back into the hub.
    virtual void offer(const std::string& roomId, const std::string& peerId, std::string sdp,
                       std::function<void(MediaAnswer)> done) = 0;
    virtual void removePeer(const std::string& roomId, const std::string& peerId) = 0;
    // How the viewer shows each remote video now (sfu-view): the sizes choose each one's
    // simulcast layer, and a camera with `pinned` reaches it whatever last-N says. Replaces the
    // previous views.
    virtual void setViews(const std::string& /*roomId*/, const std::string& /*viewerId*/,
                          std::vector<MediaView> /*views*/) {}
};

}  // namespace pulsemeet::signaling
