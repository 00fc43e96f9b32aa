#include "app/SfuBridge.hpp"

#include <utility>
#include <variant>

#include "signaling/Hub.hpp"

namespace pulsemeet::app {

SfuBridge::SfuBridge(media::Sfu::Options options)
    : sfu_(std::make_unique<media::Sfu>(std::move(options), *this)) {
    port_ = sfu_->port();
    tcpPort_ = sfu_->tcpPort();
}

SfuBridge::~SfuBridge() {
    stop();
}

void SfuBridge::attach(signaling::Hub& hub) {
    hub_.store(&hub);
}

void SfuBridge::stop() {
    // Joins the media threads first: after this no listener call is running or will run.
    sfu_.reset();
    hub_.store(nullptr);
}

std::uint16_t SfuBridge::port() const {
    return port_;
}

std::optional<std::uint16_t> SfuBridge::tcpPort() const {
    return tcpPort_;
}

void SfuBridge::stats(std::function<void(media::SfuStats)> done) {
    if (sfu_) sfu_->stats(std::move(done));
}

void SfuBridge::offer(const std::string& roomId, const std::string& peerId, std::string sdp,
                      std::function<void(signaling::MediaAnswer)> done) {
    if (!sfu_) {
        done(signaling::MediaAnswer{false, {}, {}, "the media server is stopping"});
        return;
    }
    sfu_->offer(roomId, peerId, std::move(sdp),
                [done = std::move(done)](std::variant<media::SfuAnswer, media::SdpError> result) {
                    signaling::MediaAnswer answer;
                    if (auto* error = std::get_if<media::SdpError>(&result)) {
                        answer.error =
                            std::string(media::toString(error->code)) + ": " + error->message;
                        done(std::move(answer));
                        return;
                    }
                    auto& built = std::get<media::SfuAnswer>(result);
                    answer.ok = true;
                    answer.sdp = std::move(built.sdp);
                    for (auto& track : built.tracks)
                        answer.tracks.push_back({std::move(track.publisherId),
                                                 std::string(media::toString(track.source)),
                                                 std::move(track.mid)});
                    done(std::move(answer));
                });
}

void SfuBridge::removePeer(const std::string& roomId, const std::string& peerId) {
    if (sfu_) sfu_->removePeer(roomId, peerId);
}

void SfuBridge::setViews(const std::string& roomId, const std::string& peerId,
                         std::vector<signaling::MediaView> views) {
    if (!sfu_) return;
    std::vector<media::SfuView> converted;
    converted.reserve(views.size());
    for (auto& view : views) {
        media::SfuView out;
        out.publisherId = std::move(view.peerId);
        out.source =
            view.source == "screen" ? media::TrackSource::screen : media::TrackSource::camera;
        out.width = view.width;
        out.height = view.height;
        out.pinned = view.pinned;
        converted.push_back(std::move(out));
    }
    sfu_->setViews(roomId, peerId, std::move(converted));
}

void SfuBridge::onActiveSpeaker(const std::string& roomId, const std::string& peerId,
                                double level) {
    if (signaling::Hub* hub = hub_.load()) hub->mediaActiveSpeaker(roomId, peerId, level);
}

void SfuBridge::onVideoForwarding(const std::string& roomId, const std::string& viewerId,
                                  std::vector<media::AvailableTrack> videos) {
    signaling::Hub* hub = hub_.load();
    if (hub == nullptr) return;
    std::vector<signaling::MediaTrack> forwarded;
    forwarded.reserve(videos.size());
    for (auto& video : videos)
        forwarded.push_back(
            {std::move(video.publisherId), std::string(media::toString(video.source)), {}});
    hub->mediaVideoForwarding(roomId, viewerId, std::move(forwarded));
}

void SfuBridge::onTracksAvailable(const std::string& roomId, const std::string& subscriberId,
                                  std::vector<media::AvailableTrack> tracks) {
    signaling::Hub* hub = hub_.load();
    if (hub == nullptr) return;
    std::vector<signaling::MediaTrack> announced;
    announced.reserve(tracks.size());
    for (auto& track : tracks)
        announced.push_back(
            {std::move(track.publisherId), std::string(media::toString(track.source)), {}});
    hub->mediaTracksAvailable(roomId, subscriberId, std::move(announced));
}

void SfuBridge::onTransportClosed(const std::string& roomId, const std::string& peerId,
                                  std::string_view reason) {
    if (signaling::Hub* hub = hub_.load()) hub->mediaTransportClosed(roomId, peerId, reason);
}

void SfuBridge::onEncodings(const std::string& roomId, const std::string& peerId,
                            media::TrackSource source, std::vector<std::string> activeRids) {
    if (signaling::Hub* hub = hub_.load())
        hub->mediaEncodings(roomId, peerId, media::toString(source), std::move(activeRids));
}

}  // namespace pulsemeet::app
