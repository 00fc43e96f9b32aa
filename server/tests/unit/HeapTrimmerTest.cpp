#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "app/HeapTrimmer.hpp"
#include "obs/Metrics.hpp"

namespace {

double residentKiB() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6));
    }
    return 0;
}

}  // namespace

TEST(HeapTrimmer, HandsBackFreeMemoryLyingBetweenLiveAllocations) {
    boost::asio::io_context ioc;
    pulsemeet::obs::Registry registry;
    pulsemeet::app::HeapTrimmer trimmer(ioc, registry, std::size_t{1} << 20);
    // Start from whatever this process had left free before.
    const int earlierTrims = trimmer.trimIfStranded() ? 1 : 0;

    // 2000 blocks of 16 KiB (below the mmap threshold: on the heap, zeroed, so resident), each
    // followed by a small block that stays: freeing the big ones leaves 32 MiB in holes that
    // the allocator cannot give back from the top of its heap.
    constexpr int kBlocks = 2000;
    constexpr std::size_t kBlockBytes = 16 * 1024;
    std::vector<std::unique_ptr<char[]>> big;
    std::vector<std::unique_ptr<char[]>> pinned;
    for (int i = 0; i < kBlocks; ++i) {
        big.push_back(std::make_unique<char[]>(kBlockBytes));
        pinned.push_back(std::make_unique<char[]>(32));
    }
    big.clear();
    const double beforeTrim = residentKiB();

    EXPECT_TRUE(trimmer.trimIfStranded());
    const double afterTrim = residentKiB();
    // Each 16 KiB hole holds at least three whole pages; 2000 * 12 KiB = 24 000 KiB at least.
    EXPECT_LT(afterTrim, beforeTrim - 20000)
        << "before " << beforeTrim << " KiB, after " << afterTrim;

    // Nothing new is free: the next check leaves the heap alone instead of trimming every time.
    EXPECT_FALSE(trimmer.trimIfStranded());
    const std::string text = registry.exposition();
    const std::string expected =
        "\npulsemeet_heap_trims_total " + std::to_string(earlierTrims + 1) + "\n";
    EXPECT_NE(text.find(expected), std::string::npos) << text;
}
