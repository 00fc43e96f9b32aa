#include "obs/ProcessMetrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <prometheus/client_metric.h>
#include <prometheus/collectable.h>
#include <prometheus/metric_type.h>

#include <charconv>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

namespace pulsemeet::obs {
namespace {

std::optional<std::string> readText(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::optional<std::uint64_t> toUnsigned(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

prometheus::MetricFamily family(std::string name, prometheus::MetricType type, std::string help,
                                double value) {
    prometheus::ClientMetric metric;
    if (type == prometheus::MetricType::Counter) {
        metric.counter.value = value;
    } else {
        metric.gauge.value = value;
    }
    return {std::move(name), std::move(help), type, {std::move(metric)}};
}

// Reads /proc when Prometheus asks, and only then.
class ProcessCollectable : public prometheus::Collectable {
  public:
    std::vector<prometheus::MetricFamily> Collect() const override {
        if (const auto sample = readProcessSample()) return processMetricFamilies(*sample);
        return {};
    }
};

}  // namespace

std::optional<ProcStat> parseProcStat(std::string_view stat) {
    const auto commEnd = stat.rfind(')');
    if (commEnd == std::string_view::npos) return std::nullopt;
    // Fields after the command name, counted from 3 ("state") as in proc(5).
    std::vector<std::string_view> fields;
    std::size_t at = commEnd + 1;
    while (at < stat.size()) {
        while (at < stat.size() && (stat[at] == ' ' || stat[at] == '\n')) ++at;
        const auto end = stat.find_first_of(" \n", at);
        const auto stop = end == std::string_view::npos ? stat.size() : end;
        if (stop > at) fields.push_back(stat.substr(at, stop - at));
        at = stop;
    }
    const auto field = [&fields](std::size_t number) -> std::optional<std::uint64_t> {
        if (number < 3 || number - 3 >= fields.size()) return std::nullopt;
        return toUnsigned(fields[number - 3]);
    };
    const auto utime = field(14), stime = field(15), start = field(22), vsize = field(23),
               rss = field(24);
    if (!utime || !stime || !start || !vsize || !rss) return std::nullopt;
    return ProcStat{*utime, *stime, *start, *vsize, *rss};
}

std::optional<std::uint64_t> parseBootTime(std::string_view procStat) {
    constexpr std::string_view kKey = "btime ";
    std::size_t at = 0;
    while (at < procStat.size()) {
        const auto end = procStat.find('\n', at);
        const auto line = procStat.substr(at, end == std::string_view::npos ? end : end - at);
        if (line.starts_with(kKey)) return toUnsigned(line.substr(kKey.size()));
        if (end == std::string_view::npos) break;
        at = end + 1;
    }
    return std::nullopt;
}

std::optional<ProcessSample> readProcessSample(const std::filesystem::path& procRoot) {
    const auto statText = readText(procRoot / "self" / "stat");
    const auto systemStatText = readText(procRoot / "stat");
    if (!statText || !systemStatText) return std::nullopt;
    const auto stat = parseProcStat(*statText);
    const auto bootTime = parseBootTime(*systemStatText);
    if (!stat || !bootTime) return std::nullopt;

    const auto ticksPerSecond = static_cast<double>(sysconf(_SC_CLK_TCK));
    const auto pageBytes = static_cast<double>(sysconf(_SC_PAGESIZE));
    ProcessSample sample;
    sample.cpuSeconds = static_cast<double>(stat->utimeTicks + stat->stimeTicks) / ticksPerSecond;
    sample.residentBytes = static_cast<double>(stat->residentPages) * pageBytes;
    sample.virtualBytes = static_cast<double>(stat->virtualBytes);
    sample.startTimeSeconds = static_cast<double>(*bootTime) +
                              static_cast<double>(stat->startTicksAfterBoot) / ticksPerSecond;

    std::error_code ec;
    std::size_t fds = 0;
    for (std::filesystem::directory_iterator it(procRoot / "self" / "fd", ec), end;
         !ec && it != end; it.increment(ec)) {
        ++fds;
    }
    sample.openFds = static_cast<double>(fds);
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        sample.maxFds = limit.rlim_cur == RLIM_INFINITY ? 0.0 : static_cast<double>(limit.rlim_cur);
    }
    return sample;
}

std::vector<prometheus::MetricFamily> processMetricFamilies(const ProcessSample& sample) {
    using prometheus::MetricType;
    std::vector<prometheus::MetricFamily> families{
        family("process_cpu_seconds_total", MetricType::Counter,
               "Total user and system CPU time spent in seconds.", sample.cpuSeconds),
        family("process_resident_memory_bytes", MetricType::Gauge, "Resident memory size in bytes.",
               sample.residentBytes),
        family("process_virtual_memory_bytes", MetricType::Gauge, "Virtual memory size in bytes.",
               sample.virtualBytes),
        family("process_start_time_seconds", MetricType::Gauge,
               "Start time of the process since unix epoch in seconds.", sample.startTimeSeconds),
        family("process_open_fds", MetricType::Gauge, "Number of open file descriptors.",
               sample.openFds),
    };
    if (sample.maxFds > 0) {
        families.push_back(family("process_max_fds", MetricType::Gauge,
                                  "Maximum number of open file descriptors.", sample.maxFds));
    }
    return families;
}

void addProcessMetrics(Registry& registry) {
    registry.addCollectable(std::make_unique<ProcessCollectable>());
}

}  // namespace pulsemeet::obs
