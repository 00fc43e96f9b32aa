#include "app/HeapTrimmer.hpp"

#include <algorithm>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace pulsemeet::app {

HeapTrimmer::HeapTrimmer(boost::asio::io_context& ioc, obs::Registry& registry,
                         std::size_t threshold, std::chrono::milliseconds period)
    : timer_(ioc),
      trims_(registry.counter("pulsemeet_heap_trims_total",
                              "Times free heap memory was handed back to the system after a "
                              "surge of peers had come and gone")),
      threshold_(threshold),
      period_(period) {}

void HeapTrimmer::start() {
    schedule();
}

void HeapTrimmer::stop() {
    timer_.cancel();
}

void HeapTrimmer::schedule() {
    timer_.expires_after(period_);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        trimIfStranded();
        schedule();
    });
}

bool HeapTrimmer::trimIfStranded() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
    // fordblks: free bytes in the heap; keepcost: the part at its top, which glibc already
    // returns by itself. What lies between live chunks is what only malloc_trim gives back.
    // (Released pages still count as free, so after a trim the figure does not drop.)
    const struct mallinfo2 info = mallinfo2();
    const std::size_t stranded = info.fordblks - info.keepcost;
    strandedAfterTrim_ = std::min(strandedAfterTrim_, stranded);  // reused since
    if (stranded - strandedAfterTrim_ < threshold_) return false;
    malloc_trim(0);
    strandedAfterTrim_ = stranded;
    trims_.inc();
    return true;
#else
    return false;
#endif
}

}  // namespace pulsemeet::app
