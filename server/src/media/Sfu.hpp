#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
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
namespace pulsemeet::obs {
class Logger;
}

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

// How a subscriber shows one remote video now (sfu-view): pixels (CSS px x devicePixelRatio);
// width 0: not shown (its video is not forwarded to this subscriber).
struct SfuView {
    std::string publisherId;
    TrackSource source = TrackSource::camera;
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    bool pinned = false;

    friend bool operator==(const SfuView&, const SfuView&) = default;
};

// The test-only per-subscriber bandwidth cap (MEDIA_TEST_BANDWIDTH_CAP): the peer that is the
// `peerIndex`-th (1-based) to offer in its room has its downstream estimate capped.
struct TestBandwidthCap {
    unsigned peerIndex = 0;
    std::uint64_t bitsPerSecond = 0;
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
    // A peer's transport closed on its own (consent lost, DTLS failed, handshake timeout): its
    // tracks are gone (others hear onTracksAvailable) and its next offer starts a new transport.
    // `reason` is WebRtcTransport's ("consent-lost", "dtls-failed", "handshake-timeout"). Not
    // called for removePeer, nor when the client closed DTLS itself (it knows).
    virtual void onTransportClosed(const std::string& roomId, const std::string& peerId,
                                   std::string_view reason) = 0;
    // Which simulcast encodings of `peerId`'s `source` someone watches changed (sfu-encodings):
    // `activeRids` in the publisher's order; empty when nobody watches any.
    virtual void onEncodings(const std::string& /*roomId*/, const std::string& /*peerId*/,
                             TrackSource /*source*/, std::vector<std::string> /*activeRids*/) {}
    // The room's active speaker changed (from the publishers' audio levels); `level` is its
    // smoothed linear level, 0..1.
    virtual void onActiveSpeaker(const std::string& /*roomId*/, const std::string& /*peerId*/,
                                 double /*level*/) {}
    // The videos forwarded to `viewerId` changed (last-N, pins): every video available to it
    // that is forwarded now.
    virtual void onVideoForwarding(const std::string& /*roomId*/, const std::string& /*viewerId*/,
                                   std::vector<AvailableTrack> /*videos*/) {}
};

class Sfu {
  public:
    struct Options {
        std::string bindAddress = "0.0.0.0";
        // Worker i binds port + i; 0: each binds any free port (see port()).
        std::uint16_t port = 10000;
        // The host candidate's address in every answer; empty: bindAddress, which must then
        // not be a wildcard (std::invalid_argument otherwise).
        std::string announcedAddress;
        unsigned workers = 1;  // MediaWorker threads (at least 1); a room lives on one
        // Test-only: drop this share (0..100; more throws std::invalid_argument) of forwarded
        // RTP packets before they are sent, to show NACK and retransmission at work. Never set
        // in production.
        unsigned testDropPercent = 0;
        // Each transport's lifecycle (created, ICE tuple selected, DTLS connected with its SRTP
        // profile, closed with its reason), never a line per packet; null: no logs. Must
        // outlive the Sfu.
        obs::Logger* logger = nullptr;
        // Last-N: in a room, each viewer receives the cameras of this many most recent speakers
        // (plus its pins); VIDEO_LAST_N.
        std::size_t videoLastN = 16;
        // ICE over TCP (RFC 6544 passive candidate) as well: worker i listens on tcpPort + i
        // (0: any free port) and every answer carries a `tcptype passive` candidate below the
        // UDP one; nullopt: UDP only.
        std::optional<std::uint16_t> tcpPort{};
        // Test-only: one peer per room gets its downstream bandwidth estimate capped, so that a
        // test sees it move to a lower simulcast layer. Never set in production.
        std::optional<TestBandwidthCap> testBandwidthCap{};
    };

    // Binds the UDP socket(s) (throws std::runtime_error naming the address when it cannot) and
    // starts the worker threads. The listener must outlive the Sfu.
    Sfu(Options options, SfuListener& listener);
    ~Sfu();
    Sfu(const Sfu&) = delete;
    Sfu& operator=(const Sfu&) = delete;

    // The first worker's bound port (the others are port() + i only when Options::port was
    // set).
    std::uint16_t port() const;
    // The first worker's ICE-TCP port; nullopt without TCP.
    std::optional<std::uint16_t> tcpPort() const;

    // The peer's offer (the first, or a re-offer on the same connection). `done` gets the answer
    // or why the offer cannot be answered; it runs on a media thread, before any
    // onTracksAvailable the offer causes.
    void offer(const std::string& roomId, const std::string& peerId, std::string sdp,
               std::function<void(std::variant<SfuAnswer, SdpError>)> done);
    // The peer is gone from the media server (left the room, or closed its connection): its
    // transport closes, its tracks stop, the room's other subscribers hear onTracksAvailable.
    void removePeer(const std::string& roomId, const std::string& peerId);
    // How the viewer shows each remote video now (sfu-view); replaces the previous views. The
    // sizes choose each video's simulcast layer; the cameras marked `pinned` are forwarded to
    // it whatever last-N says.
    void setViews(const std::string& roomId, const std::string& viewerId,
                  std::vector<SfuView> views);
    // The counters of every media thread, summed; `done` runs on a media thread.
    void stats(std::function<void(SfuStats)> done);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace pulsemeet::media
