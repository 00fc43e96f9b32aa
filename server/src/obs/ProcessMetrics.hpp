#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <prometheus/metric_family.h>

#include "obs/Metrics.hpp"

namespace pulsemeet::obs {

// The figures behind the standard process_* metrics that every Prometheus client library
// exports, so the usual dashboards and alerts work on PulseMeet unchanged.
struct ProcessSample {
    double cpuSeconds = 0;  // user + system
    double residentBytes = 0;
    double virtualBytes = 0;
    double startTimeSeconds = 0;  // since the Unix epoch
    double openFds = 0;
    double maxFds = 0;
};

// The parts of /proc/<pid>/stat we need. `stat` is the file's text; the command name may hold
// spaces and parentheses, so fields are counted from the last ')'. nullopt: not that format.
struct ProcStat {
    std::uint64_t utimeTicks = 0;
    std::uint64_t stimeTicks = 0;
    std::uint64_t startTicksAfterBoot = 0;
    std::uint64_t virtualBytes = 0;
    std::uint64_t residentPages = 0;
};
std::optional<ProcStat> parseProcStat(std::string_view stat);

// The boot time ("btime" line) of /proc/stat's text; nullopt when it is missing.
std::optional<std::uint64_t> parseBootTime(std::string_view procStat);

// Reads a sample of this process from `procRoot` (normally /proc). nullopt when /proc cannot
// be read (not Linux, or a sandbox without /proc): then the metrics are simply left out.
std::optional<ProcessSample> readProcessSample(const std::filesystem::path& procRoot = "/proc");

// The process_* families for `sample`, named as by the other client libraries (process_max_fds
// only when there is a limit).
std::vector<prometheus::MetricFamily> processMetricFamilies(const ProcessSample& sample);

// Adds a collectable that reads /proc at every scrape, so idle processes spend nothing on it.
void addProcessMetrics(Registry& registry);

}  // namespace pulsemeet::obs
