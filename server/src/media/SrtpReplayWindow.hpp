#pragma once

#include <array>
#include <cstdint>

// The packets of one SRTP (or SRTCP) stream already accepted, as libsrtp keeps them (its rdbx):
// the highest index so far and a bitmap of the kSize indexes up to it. An index above the highest
// is fresh; one kSize or more below it is too old to tell, so refused; one in between is fresh
// unless its bit is set. The highest starts at 0, as in libsrtp. No allocation.
namespace pulsemeet::media {

class SrtpReplayWindow {
  public:
    static constexpr std::uint64_t kSize = 1024;

    enum class Verdict { fresh, repeated, tooOld };

    Verdict check(std::uint64_t index) const;
    // Records an index (after its packet authenticated, or was protected).
    void accept(std::uint64_t index);
    std::uint64_t highest() const { return highest_; }

  private:
    bool seen(std::uint64_t index) const;
    void mark(std::uint64_t index, bool value);

    std::uint64_t highest_ = 0;
    std::array<std::uint64_t, kSize / 64> bits_{};  // index % kSize
};

// RFC 3711 §3.3.1: the 48-bit packet index (ROC << 16 | SEQ) a sequence number most likely has,
// given the highest index of its stream so far. As libsrtp, a stream still in its first half
// sequence space (highest <= 32768) keeps ROC 0, rather than guessing it wrapped backwards.
std::uint64_t estimateSrtpIndex(std::uint64_t highest, std::uint16_t sequenceNumber);

}  // namespace pulsemeet::media
