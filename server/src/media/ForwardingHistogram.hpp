#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

// How long the media server takes to forward one packet: from its arrival at the router (plain,
// after SRTP) to the send of its last consumer. Each media thread keeps its own (plain integers:
// only that thread writes them, so the packet path takes no lock and touches no shared atomic);
// Sfu::stats sums them. Counts are per bucket, not cumulative, so that an exporter can hand the
// difference between two readings straight to a histogram (Prometheus' `le` buckets are the
// running sums of these).
namespace pulsemeet::media {

struct ForwardingHistogram {
    // The buckets' upper bounds in microseconds, inclusive; one more bucket (+Inf) follows.
    static constexpr std::array<std::uint64_t, 9> kUpperBoundsMicroseconds = {1,  2,   5,   10, 20,
                                                                              50, 100, 200, 500};
    static constexpr std::size_t kBucketCount = kUpperBoundsMicroseconds.size() + 1;

    std::array<std::uint64_t, kBucketCount> buckets{};  // the last one is +Inf
    std::uint64_t sumNanoseconds = 0;

    // The bucket a duration falls in: the first whose bound it does not exceed.
    static std::size_t bucketFor(std::chrono::nanoseconds elapsed) {
        const auto ns = elapsed.count() < 0 ? 0 : static_cast<std::uint64_t>(elapsed.count());
        std::size_t i = 0;
        while (i < kUpperBoundsMicroseconds.size() && ns > kUpperBoundsMicroseconds[i] * 1000) ++i;
        return i;
    }

    void observe(std::chrono::nanoseconds elapsed) {
        ++buckets[bucketFor(elapsed)];
        sumNanoseconds += elapsed.count() < 0 ? 0 : static_cast<std::uint64_t>(elapsed.count());
    }

    std::uint64_t count() const {
        std::uint64_t total = 0;
        for (const auto bucket : buckets) total += bucket;
        return total;
    }

    ForwardingHistogram& operator+=(const ForwardingHistogram& other) {
        for (std::size_t i = 0; i < kBucketCount; ++i) buckets[i] += other.buckets[i];
        sumNanoseconds += other.sumNanoseconds;
        return *this;
    }
};

}  // namespace pulsemeet::media
