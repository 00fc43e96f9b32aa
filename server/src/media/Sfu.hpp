#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "media/SdpError.hpp"
#include "media/SfuStats.hpp"

// The media server as the rest of the process sees it (docs/architecture.md, "Media server"):
// rooms of publishers and subscribers, one Router per room on one MediaWorker thread. Every
// method is thread-safe and returns at once; results and events come back through callbacks that
// run on a media thread and must not block. The media area knows nothing of signaling: it names
// rooms and peers by the ids it is given, and tells its listener what subscribers can receive.
namespace pulsemeet::media {

// What a forwarded track is, from the publisher's offer: its first sending audio section is the
// microphone, its first sending video section the camera, a second sending video its screen.
enum class TrackSource { microphone, camera, screen };

std::string_view toString(TrackSource source);

// A track the media server can forward to a subscriber.
struct AvailableTrack {
    std::string publisherId;
    TrackSource source = TrackSource::camera;

    friend bool operator==(const AvailableTrack&, const AvailableTrack&) = default;
};

// Which of a subscriber's recvonly sections carries which publisher's track.
struct ForwardedTrack {
    std::string mid;
    std::string publisherId;
    TrackSource source = TrackSource::camera;

    friend bool operator==(const ForwardedTrack&, const ForwardedTrack&) = default;
};

struct SfuAnswer {
    std::string sdp;
    std::vector<ForwardedTrack> tracks;
};

// What the media server tells the process. Runs on a media thread.
class SfuListener {
  public:
    virtual ~SfuListener() = default;
    // The full set of tracks `subscriberId` can receive changed (a publisher added or removed a
    // track, or left). The subscriber re-offers with enough recvonly sections.
    virtual void onTracksAvailable(const std::string& roomId, const std::string& subscriberId,
                                   std::vector<AvailableTrack> tracks) = 0;
    // A peer's transport closed on its own (consent lost, DTLS failed, handshake timeout); not
    // called for removePeer.
    virtual void onTransportClosed(const std::string& roomId, const std::string& peerId,
                                   std::string_view reason) = 0;
};

class Sfu {
  public:
    struct Options {
        std::string bindAddress = "0.0.0.0";
        std::uint16_t port = 10000;    // 0: any free port, see port()
        std::string announcedAddress;  // the host candidate's address in every answer
        unsigned workers = 1;          // MediaWorker threads; a room lives on one
        // Test-only: drop this share (0..100) of forwarded RTP packets before they are sent, to
        // show NACK and retransmission at work. Never set in production.
        unsigned testDropPercent = 0;
    };

    // Binds the UDP socket(s) (throws std::runtime_error naming the address when it cannot) and
    // starts the worker threads.
    Sfu(Options options, SfuListener& listener);
    ~Sfu();
    Sfu(const Sfu&) = delete;
    Sfu& operator=(const Sfu&) = delete;

    std::uint16_t port() const;

    // The peer's offer (the first, or a re-offer on the same connection). `done` gets the answer
    // or why the offer cannot be answered.
    void offer(const std::string& roomId, const std::string& peerId, std::string sdp,
               std::function<void(std::variant<SfuAnswer, SdpError>)> done);
    // The peer is gone from the media server (left the room, or closed its connection): its
    // transport closes, its tracks stop, the room's other subscribers hear onTracksAvailable.
    void removePeer(const std::string& roomId, const std::string& peerId);
    // The counters of every media thread, summed; `done` runs on a media thread.
    void stats(std::function<void(SfuStats)> done);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace pulsemeet::media
