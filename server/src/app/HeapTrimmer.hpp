#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>

#include "obs/Metrics.hpp"

namespace pulsemeet::app {

// Gives memory that the allocator keeps after a surge back to the system. glibc returns freed
// memory only from the top of its heap; after many peers come and go the free space lies between
// chunks still in use (a room that outlived its neighbours), so the resident size stays at the
// peak although the hub holds nothing. Once a second this checks how much of the heap is free
// and, once that has grown by `threshold` since the last trim, calls malloc_trim, which releases
// the free pages wherever they are. Free space in pieces smaller than a page cannot be released,
// so growth is counted from what the last trim left, not from zero: a heap that stays
// fragmented is not trimmed again every second. Without glibc it does nothing.
class HeapTrimmer {
  public:
    HeapTrimmer(boost::asio::io_context& ioc, obs::Registry& registry, std::size_t threshold,
                std::chrono::milliseconds period = std::chrono::seconds(1));

    void start();
    void stop();

    // The periodic check, callable directly. True when it trimmed.
    bool trimIfStranded();

  private:
    void schedule();

    boost::asio::steady_timer timer_;
    obs::Counter& trims_;
    std::size_t threshold_;
    std::chrono::milliseconds period_;
    std::size_t strandedAfterTrim_ = 0;
};

}  // namespace pulsemeet::app
