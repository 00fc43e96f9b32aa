#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "media/Sfu.hpp"
#include "media/SfuStats.hpp"
#include "signaling/MediaServerPort.hpp"

namespace pulsemeet::signaling {
class Hub;
}

// The media server and the hub, introduced (docs/architecture.md, "Media server"): the hub asks
// through signaling::MediaServerPort, the media server answers through media::SfuListener, and
// neither area includes the other. The hub is built with the bridge as its port, so the bridge
// exists first and learns its hub afterwards (attach); events before that have nobody to reach
// and cannot happen, since no peer can offer before the hub exists.
namespace pulsemeet::app {

class SfuBridge final : public signaling::MediaServerPort, public media::SfuListener {
  public:
    // Starts the media server (throws std::runtime_error naming the address when its socket
    // cannot be bound).
    explicit SfuBridge(media::Sfu::Options options);
    ~SfuBridge() override;
    SfuBridge(const SfuBridge&) = delete;
    SfuBridge& operator=(const SfuBridge&) = delete;

    void attach(signaling::Hub& hub);
    // Stops the media threads: called before the hub is destroyed, so none of them reaches it
    // afterwards.
    void stop();
    std::uint16_t port() const;
    // The first media thread's ICE-TCP port; nullopt when TCP is off.
    std::optional<std::uint16_t> tcpPort() const;
    // The media threads' counters, summed; `done` runs on a media thread.
    void stats(std::function<void(media::SfuStats)> done);

    // signaling::MediaServerPort
    void offer(const std::string& roomId, const std::string& peerId, std::string sdp,
               std::function<void(signaling::MediaAnswer)> done) override;
    void removePeer(const std::string& roomId, const std::string& peerId) override;
    void setViews(const std::string& roomId, const std::string& peerId,
                  std::vector<signaling::MediaView> views) override;

    // media::SfuListener (media threads)
    void onTracksAvailable(const std::string& roomId, const std::string& subscriberId,
                           std::vector<media::AvailableTrack> tracks) override;
    void onTransportClosed(const std::string& roomId, const std::string& peerId,
                           std::string_view reason) override;
    void onEncodings(const std::string& roomId, const std::string& peerId,
                     media::TrackSource source, std::vector<std::string> activeRids) override;
    void onActiveSpeaker(const std::string& roomId, const std::string& peerId,
                         double level) override;
    void onVideoForwarding(const std::string& roomId, const std::string& viewerId,
                           std::vector<media::AvailableTrack> videos) override;

  private:
    std::atomic<signaling::Hub*> hub_{nullptr};
    std::uint16_t port_ = 0;
    std::optional<std::uint16_t> tcpPort_;
    std::unique_ptr<media::Sfu> sfu_;
};

}  // namespace pulsemeet::app
