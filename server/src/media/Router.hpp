#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "media/MediaWorker.hpp"
#include "media/RoomForwarding.hpp"
#include "media/RouterPeer.hpp"
#include "media/SdpError.hpp"
#include "media/Sfu.hpp"
#include "media/SfuStats.hpp"
#include "media/TrackMapping.hpp"

// One room on the media server (mediasoup's Router), on one media worker's thread: its peers,
// who publishes which track, and which subscriber section carries it. Offers are answered here;
// packets never pass through the router (a peer hands them from its producers to their
// consumers). Every method runs on the worker's thread; no lock.
namespace pulsemeet::media {

class Router final : public RouterPeer::Listener {
  public:
    // How long a simulcast layer nobody watches keeps running before the publisher is told to
    // pause it (sfu-encodings).
    static constexpr std::chrono::milliseconds kPauseUnwatchedAfter{4000};
    using Clock = std::chrono::steady_clock;

    struct Options {
        std::string announcedAddress;  // the answer's host candidate
        unsigned testDropPercent = 0;
        std::size_t videoLastN = 16;                       // Sfu::Options::videoLastN
        obs::Logger* logger = nullptr;                     // Sfu::Options::logger
        std::optional<TestBandwidthCap> testBandwidthCap;  // Sfu::Options::testBandwidthCap
    };

    Router(std::string roomId, MediaWorker& worker, SfuListener& listener, SfuStats& stats,
           Options options);
    ~Router() override;
    Router(const Router&) = delete;
    Router& operator=(const Router&) = delete;

    // Answers a peer's offer; creates its transport on the first one. Call announceTracks()
    // after handing the answer over.
    std::variant<SfuAnswer, SdpError> offer(const std::string& peerId, const std::string& sdp);
    // Closes the peer's transport and drops its tracks; others hear onTracksAvailable.
    void removePeer(const std::string& peerId);
    // Tells every connected subscriber whose set of available tracks changed.
    void announceTracks();
    // How the viewer shows each remote video (sfu-view): the sizes for its layers, the pinned
    // cameras for last-N (setPinned); unknown peers are ignored.
    void setViews(const std::string& viewerId, std::vector<SfuView> views);
    // From the worker's timer: peers whose transport closed on their own are removed (and the
    // listener told), then every peer's NACKs, key-frame retries and reports.
    void tick(Clock::time_point now);
    // The peers `viewerId` pinned (RoomForwarding); ignored until the viewer has offered.
    void setPinned(const std::string& viewerId, std::vector<std::string> pinned);

    bool empty() const { return peers_.empty(); }
    // The counters only live objects hold (SRTP failures of open transports).
    void addLiveStats(SfuStats& stats) const;

    // RouterPeer::Listener
    void onPeerConnected(RouterPeer& peer) override;
    void onAudioLevel(RouterPeer& peer, AudioLevel level, Clock::time_point now) override;

  private:
    RouterPeer* find(const std::string& peerId) const;
    RouterPeer& createPeer(const std::string& peerId, const SdpAnswer& draft);
    void erasePeer(const std::string& peerId, bool closeTransport);
    // Peers whose transport closed on its own: removed, the listener told.
    void removeClosedPeers();
    void updateProducers(RouterPeer& peer, const SdpOffer& offer, const SdpAnswer& draft);
    void updateSlots(RouterPeer& peer, const SdpOffer& offer, const SdpAnswer& draft);
    // Every slot gets a consumer when its track's producer exists (and a new one when that
    // producer was renegotiated), and loses it when not.
    void reconcileConsumers(Clock::time_point now);
    // The stream a producer of this track carries now (nullopt: no producer).
    std::optional<RouterPeer::StreamOrigin> originOf(const TrackKey& key) const;
    // Whether a slot may go on carrying its track on its SSRC: no stream yet, or the same one.
    bool streamContinues(const RouterPeer::ReceiveSlot& slot) const;
    void dropConsumersOf(const Producer& producer);
    std::vector<TrackKey> availableFor(const std::string& subscriberId) const;
    Producer* producerFor(const TrackKey& key) const;
    std::uint32_t randomSsrc();
    // Tells each simulcast publisher which of its layers someone watches, when that changed.
    void announceEncodings(Clock::time_point now);
    // Switches every consumer on or off as RoomForwarding says, and tells each viewer whose
    // forwarded videos changed.
    void applyForwarding(Clock::time_point now);

    std::string roomId_;
    MediaWorker& worker_;
    SfuListener& listener_;
    SfuStats& stats_;
    Options options_;
    std::vector<std::unique_ptr<RouterPeer>> peers_;  // in order of arrival
    std::mt19937 random_;
    unsigned peersCreated_ = 0;  // for the test-only bandwidth cap's peer index
    RoomForwarding forwarding_;
};

}  // namespace pulsemeet::media
