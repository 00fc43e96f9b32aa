#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "media/ActiveSpeakerObserver.hpp"
#include "media/AudioLevel.hpp"
#include "media/LoudestAudio.hpp"
#include "media/Sfu.hpp"
#include "media/TrackMapping.hpp"

// Which of a room's tracks each viewer receives now (docs/architecture.md, "Big rooms"):
// - cameras: last-N (LastN.hpp) over the active-speaker history, plus the viewer's pins;
// - microphones: all of them, except in rooms of more than kAllAudioMembers peers, where only
//   the kLoudestAudio loudest are forwarded (LoudestAudio);
// - screens: always (a shared screen is what a big room looks at).
// The Router asks it and switches its consumers; it also remembers what each viewer was last
// told, so that only changes are announced. One media thread; no lock.
namespace pulsemeet::media {

class RoomForwarding {
  public:
    using Clock = std::chrono::steady_clock;

    static constexpr std::size_t kAllAudioMembers = 16;
    static constexpr std::size_t kLoudestAudio = 3;

    struct Options {
        std::size_t videoLastN = 16;  // VIDEO_LAST_N
        ActiveSpeakerObserver::Options speaker{};
    };

    struct TickResult {
        std::optional<ActiveSpeakerObserver::Change> speaker;  // a new active speaker
        bool forwardingChanged = false;  // forwardedFor may give other answers now
    };

    RoomForwarding() : RoomForwarding(Options{}) {}
    explicit RoomForwarding(Options options);

    void addPeer(const std::string& peerId);
    void removePeer(const std::string& peerId);
    void onAudioLevel(const std::string& peerId, AudioLevel level, Clock::time_point now) {
        speakers_.onLevel(peerId, level, now);
    }
    // The peers `viewerId` pinned (sfu-view entries with pinned: true); returns whether that
    // changed anything.
    bool setPinned(const std::string& viewerId, std::vector<std::string> pinned);
    TickResult tick(Clock::time_point now);

    // Of the tracks available to `viewerId`, those forwarded to it now.
    std::vector<TrackKey> forwardedFor(const std::string& viewerId,
                                       const std::vector<TrackKey>& available) const;
    // Whether `videos` differs from what `viewerId` was last told (and remembers it if so).
    bool announce(const std::string& viewerId, const std::vector<AvailableTrack>& videos);

    const ActiveSpeakerObserver& speakers() const { return speakers_; }
    const LoudestAudio& loudestAudio() const { return loudest_; }

  private:
    bool bigForAudio() const { return speakers_.recentSpeakers().size() > kAllAudioMembers; }

    Options options_;
    ActiveSpeakerObserver speakers_;
    LoudestAudio loudest_;
    // What tick() hands loudest_, kept between ticks so that a big room's tick copies its peer
    // ids into strings that already have room for them instead of allocating each one anew.
    std::vector<std::pair<std::string, double>> levels_;
    std::map<std::string, std::vector<std::string>> pinned_;  // by viewer
    std::map<std::string, std::vector<AvailableTrack>> announced_;
};

}  // namespace pulsemeet::media
