#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

// Which microphones a big room forwards: at most `count` at a time, the loudest. A selected
// microphone keeps its place through pauses until someone else speaks (its packets are not cut
// mid-sentence), and a speaker takes the place of one still speaking only when clearly louder
// (a margin, as ActiveSpeakerObserver): the selection does not flap between the third and fourth
// loudest. The levels are the observer's smoothed ones. One media thread; no lock.
namespace pulsemeet::media {

class LoudestAudio {
  public:
    struct Options {
        std::size_t count = 3;
        double speechThreshold = 0.02;  // as ActiveSpeakerObserver::Options
        double switchRatio = 2.0;
    };

    LoudestAudio() : LoudestAudio(Options{}) {}
    explicit LoudestAudio(Options options) : options_(options) {}

    // Every peer of the room with its smoothed linear level now; peers missing from it leave
    // the selection. Returns whether the selection changed.
    bool update(const std::vector<std::pair<std::string, double>>& levels);
    bool selected(const std::string& peerId) const;
    const std::vector<std::string>& selection() const { return selected_; }

  private:
    Options options_;
    std::vector<std::string> selected_;
};

}  // namespace pulsemeet::media
