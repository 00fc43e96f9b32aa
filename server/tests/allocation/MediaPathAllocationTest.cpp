// The media path allocates nothing per forwarded packet once a stream is known (issue 19),
// counted with every allocation in the process (AllocationCounter), the C libraries' included.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include "AllocationCounter.hpp"
#include "media/RetransmissionBuffer.hpp"

namespace pulsemeet::media {
namespace {

using pulsemeet::testing::AllocationScope;
using Bytes = std::vector<std::uint8_t>;
using Clock = std::chrono::steady_clock;

TEST(MediaPathAllocation, RetransmissionBufferStoresWithoutAllocating) {
    RetransmissionBuffer buffer(512, std::chrono::seconds(2));
    const Bytes packet(1200, 0xAB);
    const auto now = Clock::now();
    const AllocationScope scope;
    for (std::uint32_t n = 0; n < 3000; ++n)
        buffer.store(static_cast<std::uint16_t>(n), packet, now);  // the first pass too
    EXPECT_EQ(scope.count(), 0U);
    EXPECT_TRUE(buffer.forNack(2999, now));
}

}  // namespace
}  // namespace pulsemeet::media
