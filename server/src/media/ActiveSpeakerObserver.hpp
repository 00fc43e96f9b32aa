#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "media/AudioLevel.hpp"

// Who is the room's active speaker, from the audio levels the publishers put in their packets
// (AudioLevel). A level per packet flickers between syllables, so each peer's level is smoothed
// over a window, and the speaker changes only when someone else is clearly louder (a margin) and
// the last change is old enough (a minimum hold): the ring does not flap between two people
// talking over each other. It also remembers the order in which people last were the speaker
// (last-N forwards the most recent ones). One media thread; no lock.
namespace pulsemeet::media {

class ActiveSpeakerObserver {
  public:
    using Clock = std::chrono::steady_clock;

    struct Options {
        // Levels are averaged over this much time; a peer that sent nothing in it is silent.
        Clock::duration window = std::chrono::milliseconds(500);
        // A smoothed linear level (AudioLevel::linear) at or above this counts as speech
        // (0.02 is about -34 dBov; the client's own detector uses 0.03).
        double speechThreshold = 0.02;
        // A challenger takes over from a speaker who still speaks only when this many times
        // louder (2.0 is 6 dB).
        double switchRatio = 2.0;
        // No two changes closer than this.
        Clock::duration minHold = std::chrono::seconds(1);
    };

    struct Change {
        std::string peerId;
        double level = 0;  // smoothed, linear 0..1
    };

    ActiveSpeakerObserver() : ActiveSpeakerObserver(Options{}) {}
    explicit ActiveSpeakerObserver(Options options);
    // Moved, never copied: a copy's recentLevels_ would point into the original's levels_ (a
    // move keeps the map's elements where they are).
    ActiveSpeakerObserver(const ActiveSpeakerObserver&) = delete;
    ActiveSpeakerObserver& operator=(const ActiveSpeakerObserver&) = delete;
    ActiveSpeakerObserver(ActiveSpeakerObserver&&) noexcept = default;
    ActiveSpeakerObserver& operator=(ActiveSpeakerObserver&&) noexcept = default;

    // A peer is known from its arrival (last in recentSpeakers) to its removal.
    void addPeer(const std::string& peerId);
    void removePeer(const std::string& peerId);
    // One packet's level; unknown peers are ignored.
    void onLevel(const std::string& peerId, AudioLevel level, Clock::time_point now);
    // A new active speaker, if one is due now; nullopt while the current one holds (or nobody
    // speaks: the last speaker keeps the ring through silence).
    std::optional<Change> decide(Clock::time_point now);

    // The peer's smoothed linear level now (0 when unknown or silent through the window).
    double level(const std::string& peerId, Clock::time_point now) const;
    // visit(peerId, level now) for every known peer in recentSpeakers() order, without looking
    // each one up: a big room's tick reads them all.
    template <typename Visit>
    void forEachLevel(Clock::time_point now, Visit&& visit) const {
        const auto newest = bucketIndex(now);
        for (std::size_t i = 0; i < recent_.size(); ++i)
            visit(recent_[i], levelOf(*recentLevels_[i], newest));
    }
    bool speaking(const std::string& peerId, Clock::time_point now) const {
        return level(peerId, now) >= options_.speechThreshold;
    }
    const std::optional<std::string>& speaker() const { return speaker_; }
    // Every known peer: the most recent active speaker first, then those who never were, in
    // order of arrival.
    const std::vector<std::string>& recentSpeakers() const { return recent_; }
    const Options& options() const { return options_; }

  private:
    static constexpr std::size_t kBuckets = 10;
    struct Bucket {
        std::int64_t index = -1;  // which slice of time it sums
        double sum = 0;
        std::uint32_t count = 0;
    };
    struct Levels {
        std::array<Bucket, kBuckets> buckets{};
        std::int64_t newest = -1;  // the newest bucket written: a silent peer costs one compare
    };

    std::int64_t bucketIndex(Clock::time_point now) const;
    static double levelOf(const Levels& levels, std::int64_t newestIndex);

    Options options_;
    Clock::duration bucketDuration_;
    std::unordered_map<std::string, Levels> levels_;
    std::vector<std::string> recent_;
    // recent_[i]'s entry in levels_ (a map's elements stay where they are until erased).
    std::vector<const Levels*> recentLevels_;
    std::optional<std::string> speaker_;
    std::optional<Clock::time_point> lastChange_;
};

}  // namespace pulsemeet::media
