#include "ReceiveCounters.hpp"

namespace pulsemeet::bench::sfu {

void StreamCounter::add(std::uint32_t counter, RunTotals& totals) {
    ++totals.received;
    if (!started_) {
        started_ = true;
        first_ = counter;
        highest_ = counter;
    }
    if (counter < first_) {  // sent before the window started: neither lost nor counted
        ++totals.late;
        return;
    }
    const std::size_t index = counter - first_;
    if (index >= seen_.size()) seen_.resize(index + 1024, false);
    if (seen_[index]) {
        ++totals.duplicates;
        return;
    }
    seen_[index] = true;
    ++unique_;
    ++totals.unique;
    if (counter < highest_) ++totals.late;
    if (counter > highest_) highest_ = counter;
}

std::uint64_t StreamCounter::lost() const {
    if (!started_) return 0;
    const std::uint64_t expected = std::uint64_t{highest_} - first_ + 1;
    return expected > unique_ ? expected - unique_ : 0;
}

void StreamCounter::reset() {
    started_ = false;
    unique_ = 0;
    seen_.clear();
}

}  // namespace pulsemeet::bench::sfu
