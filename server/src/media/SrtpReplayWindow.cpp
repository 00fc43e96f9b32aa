#include "media/SrtpReplayWindow.hpp"

namespace pulsemeet::media {

SrtpReplayWindow::Verdict SrtpReplayWindow::check(std::uint64_t index) const {
    if (index > highest_) return Verdict::fresh;
    if (highest_ - index >= kSize) return Verdict::tooOld;
    return seen(index) ? Verdict::repeated : Verdict::fresh;
}

void SrtpReplayWindow::accept(std::uint64_t index) {
    if (index > highest_) {
        // The indexes between the old highest and this one have not been seen.
        if (index - highest_ >= kSize) {
            bits_.fill(0);
        } else {
            for (auto skipped = highest_ + 1; skipped < index; ++skipped) mark(skipped, false);
        }
        highest_ = index;
    } else if (highest_ - index >= kSize) {
        return;
    }
    mark(index, true);
}

bool SrtpReplayWindow::seen(std::uint64_t index) const {
    const auto bit = index % kSize;
    return (bits_[bit / 64] >> (bit % 64)) & 1U;
}

void SrtpReplayWindow::mark(std::uint64_t index, bool value) {
    const auto bit = index % kSize;
    const auto mask = std::uint64_t{1} << (bit % 64);
    if (value) {
        bits_[bit / 64] |= mask;
    } else {
        bits_[bit / 64] &= ~mask;
    }
}

std::uint64_t estimateSrtpIndex(std::uint64_t highest, std::uint16_t sequenceNumber) {
    constexpr int kHalf = 32768;
    if (highest <= kHalf) return sequenceNumber;
    const auto rolloverCounter = static_cast<std::uint32_t>(highest >> 16);
    const int highestSequence = static_cast<std::uint16_t>(highest);
    const int sequence = sequenceNumber;
    std::uint32_t guess = rolloverCounter;
    if (highestSequence < kHalf) {
        if (sequence - highestSequence > kHalf) guess = rolloverCounter - 1;  // from before a wrap
    } else if (highestSequence - kHalf > sequence) {
        guess = rolloverCounter + 1;  // after a wrap
    }
    return (std::uint64_t{guess} << 16) | sequenceNumber;
}

}  // namespace pulsemeet::media
