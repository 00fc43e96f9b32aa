#include "media/SeqManager.hpp"

namespace pulsemeet::media {

std::int64_t SeqManager::extend(std::uint16_t input) const {
    // The nearest number with these low 16 bits (RFC 3550 A.1's wrap handling).
    const auto delta = static_cast<std::int16_t>(static_cast<std::uint16_t>(input - highest_));
    return highest_ + delta;
}

void SeqManager::start(std::uint16_t input, std::int64_t firstOutput) {
    started_ = true;
    highest_ = input;
    offset_ = highest_ - firstOutput;
    floor_ = highest_ - 1;
    dropsCount_ = 0;
}

std::optional<std::uint16_t> SeqManager::forward(std::uint16_t input) {
    if (!started_) {
        start(input, firstOutput_);
        forwardedAny_ = true;
        return firstOutput_;
    }
    const std::int64_t extended = extend(input);
    if (extended > highest_) {
        forwardedAny_ = true;
        highest_ = extended;
        return outputOf(extended, offset_);
    }
    if (highest_ - extended > kMaxLateness) {
        // Not a late packet: the source restarted its numbering. Continue after the last output.
        resync(input);
        return forward(input);
    }
    if (extended <= floor_) return std::nullopt;
    // Late: every remembered drop after it did not yet count for it.
    std::int64_t dropsAfter = 0;
    for (std::size_t i = 0; i < dropsCount_; ++i) {
        const std::int64_t dropped = drops_[(dropsHead_ + i) % kDropHistory];
        if (dropped == extended) return std::nullopt;  // a copy of a packet we chose to drop
        if (dropped > extended) ++dropsAfter;
    }
    return outputOf(extended, offset_ - dropsAfter);
}

void SeqManager::drop(std::uint16_t input) {
    if (!started_) {
        // The next packet after this one gets the first output.
        start(input, std::int64_t{firstOutput_} - 1);
        floor_ = highest_;
        return;
    }
    const std::int64_t extended = extend(input);
    if (extended <= highest_) {
        // A late packet dropped: later packets already have their numbers, so its number stays a
        // gap. Nothing to shift.
        return;
    }
    highest_ = extended;
    ++offset_;
    if (dropsCount_ == kDropHistory) {
        // Forget the oldest drop; packets from before it can no longer be numbered.
        floor_ = drops_[dropsHead_];
        dropsHead_ = (dropsHead_ + 1) % kDropHistory;
        --dropsCount_;
    }
    drops_[(dropsHead_ + dropsCount_) % kDropHistory] = extended;
    ++dropsCount_;
}

void SeqManager::resync(std::uint16_t nextInput, std::uint16_t gap) {
    const std::int64_t lastOutput = started_ ? highest_ - offset_ : std::int64_t{firstOutput_} - 1;
    started_ = true;
    // A fresh numbering domain: nextInput - 1 stands for "the newest so far".
    highest_ = std::int64_t{nextInput} - 1;
    offset_ = highest_ - lastOutput - gap;
    floor_ = highest_;
    dropsCount_ = 0;
    dropsHead_ = 0;
}

std::optional<std::uint16_t> SeqManager::lastOutput() const {
    if (!forwardedAny_) return std::nullopt;
    return static_cast<std::uint16_t>(highest_ - offset_);
}

}  // namespace pulsemeet::media
