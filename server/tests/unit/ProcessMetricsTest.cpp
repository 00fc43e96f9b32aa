// The process_* metrics: parsing /proc text, and a live sample of this test process.
#include <gtest/gtest.h>

#include <prometheus/text_serializer.h>

#include <ctime>

#include "obs/ProcessMetrics.hpp"

using namespace pulsemeet::obs;

TEST(ProcessMetrics, ParsesStatWithSpacesAndParenthesesInTheCommandName) {
    // Fields 14/15 utime/stime, 22 starttime, 23 vsize, 24 rss (proc(5)).
    const std::string stat =
        "4242 (a) b (c) S 1 4242 4242 0 -1 4194560 500 0 0 0 "
        "150 50 0 0 20 0 3 0 98765 123456789 2048 18446744073709551615\n";
    const auto parsed = parseProcStat(stat);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->utimeTicks, 150u);
    EXPECT_EQ(parsed->stimeTicks, 50u);
    EXPECT_EQ(parsed->startTicksAfterBoot, 98765u);
    EXPECT_EQ(parsed->virtualBytes, 123456789u);
    EXPECT_EQ(parsed->residentPages, 2048u);
}

TEST(ProcessMetrics, RejectsTruncatedOrForeignText) {
    EXPECT_FALSE(parseProcStat("").has_value());
    EXPECT_FALSE(parseProcStat("12 (x) S 1 2 3").has_value());
    EXPECT_FALSE(parseBootTime("cpu 1 2 3\nintr 5\n").has_value());
    EXPECT_EQ(parseBootTime("cpu 1 2 3\nbtime 1700000000\nprocesses 9\n"), 1700000000u);
}

TEST(ProcessMetrics, LiveSampleOfThisProcessIsPlausible) {
    const auto sample = readProcessSample();
    ASSERT_TRUE(sample.has_value());
    EXPECT_GT(sample->residentBytes, 1024.0 * 1024.0);
    EXPECT_GE(sample->openFds, 3.0);  // at least stdin, stdout, stderr
    const double now = static_cast<double>(std::time(nullptr));
    EXPECT_LE(sample->startTimeSeconds, now + 1);
    EXPECT_GT(sample->startTimeSeconds, now - 3600);
}

TEST(ProcessMetrics, RendersTheStandardFamilies) {
    const auto out = prometheus::TextSerializer().Serialize(
        processMetricFamilies(ProcessSample{1.5, 4096, 8192, 1700000000.25, 7, 1024}));
    EXPECT_NE(out.find("# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 1.5\n"),
              std::string::npos);
    EXPECT_NE(out.find("process_resident_memory_bytes 4096\n"), std::string::npos);
    EXPECT_NE(out.find("process_start_time_seconds 1700000000.25\n"), std::string::npos);
    EXPECT_NE(out.find("process_open_fds 7\n"), std::string::npos);
    EXPECT_NE(out.find("process_max_fds 1024\n"), std::string::npos);
    const auto unlimited = prometheus::TextSerializer().Serialize(
        processMetricFamilies(ProcessSample{1.5, 4096, 8192, 1700000000.25, 7, 0}));
    EXPECT_EQ(unlimited.find("process_max_fds"), std::string::npos) << "no limit, no family";
}

TEST(ProcessMetrics, RegistryAppendsCollectorsAfterItsOwnFamilies) {
    Registry registry;
    registry.counter("pulsemeet_things_total", "Things").inc(3);
    addProcessMetrics(registry);
    const auto text = registry.exposition();
    const auto own = text.find("pulsemeet_things_total 3\n");
    const auto process = text.find("process_cpu_seconds_total ");
    ASSERT_NE(own, std::string::npos);
    ASSERT_NE(process, std::string::npos);
    EXPECT_LT(own, process);
}
