#include "obs/Metrics.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace pulsemeet::obs {
namespace {

constexpr double kNano = 1e9;

void appendEscapedLabelValue(std::string& out, const std::string& value) {
    for (char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
}

std::string renderLabels(const Labels& labels, const char* extraKey = nullptr,
                         const std::string& extraValue = {}) {
    if (labels.empty() && extraKey == nullptr) return {};
    std::string out = "{";
    bool first = true;
    for (const auto& [key, value] : labels) {
        if (!first) out += ',';
        first = false;
        out += key;
        out += "=\"";
        appendEscapedLabelValue(out, value);
        out += '"';
    }
    if (extraKey != nullptr) {
        if (!first) out += ',';
        out += extraKey;
        out += "=\"";
        appendEscapedLabelValue(out, extraValue);
        out += '"';
    }
    out += '}';
    return out;
}

}  // namespace

std::string formatMetricValue(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    char buffer[40];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

Histogram::Histogram(std::vector<double> upperBounds)
    : bounds_(std::move(upperBounds)),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {}

void Histogram::observe(double value) {
    std::size_t index = 0;
    while (index < bounds_.size() && value > bounds_[index]) ++index;
    buckets_[index].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    sumNano_.fetch_add(static_cast<std::int64_t>(std::llround(value * kNano)),
                       std::memory_order_relaxed);
}

std::vector<std::uint64_t> Histogram::bucketCounts() const {
    std::vector<std::uint64_t> counts(bounds_.size() + 1);
    for (std::size_t i = 0; i < counts.size(); ++i) {
        counts[i] = buckets_[i].load(std::memory_order_relaxed);
    }
    return counts;
}

double Histogram::sum() const {
    return static_cast<double>(sumNano_.load(std::memory_order_relaxed)) / kNano;
}

Registry::Family& Registry::family(const std::string& name, const std::string& help, Kind kind) {
    auto [it, inserted] = families_.try_emplace(name);
    if (inserted) {
        it->second.kind = kind;
        it->second.help = help;
    } else if (it->second.kind != kind) {
        throw std::logic_error("metric " + name + " registered with two types");
    }
    return it->second;
}

Counter& Registry::counter(const std::string& name, const std::string& help, const Labels& labels) {
    std::lock_guard lock(mutex_);
    Family& f = family(name, help, Kind::counter);
    auto [it, inserted] = f.byLabels.try_emplace(labels, f.counters.size());
    if (inserted) f.counters.emplace_back();
    return f.counters[it->second];
}

Gauge& Registry::gauge(const std::string& name, const std::string& help, const Labels& labels) {
    std::lock_guard lock(mutex_);
    Family& f = family(name, help, Kind::gauge);
    auto [it, inserted] = f.byLabels.try_emplace(labels, f.gauges.size());
    if (inserted) f.gauges.emplace_back();
    return f.gauges[it->second];
}

Histogram& Registry::histogram(const std::string& name, const std::string& help,
                               std::vector<double> upperBounds, const Labels& labels) {
    std::lock_guard lock(mutex_);
    Family& f = family(name, help, Kind::histogram);
    auto [it, inserted] = f.byLabels.try_emplace(labels, f.histograms.size());
    if (inserted) f.histograms.emplace_back(std::move(upperBounds));
    return f.histograms[it->second];
}

void Registry::addCollector(Collector collector) {
    std::lock_guard lock(mutex_);
    collectors_.push_back(std::move(collector));
}

std::string Registry::exposition() const {
    std::lock_guard lock(mutex_);
    std::string out;
    out.reserve(4096);
    for (const auto& [name, f] : families_) {
        const char* type = f.kind == Kind::counter ? "counter"
                           : f.kind == Kind::gauge ? "gauge"
                                                   : "histogram";
        out += "# HELP " + name + " " + f.help + "\n";
        out += "# TYPE " + name + " " + type + "\n";
        for (const auto& [labels, index] : f.byLabels) {
            switch (f.kind) {
                case Kind::counter:
                    out += name + renderLabels(labels) + " " +
                           std::to_string(f.counters[index].value()) + "\n";
                    break;
                case Kind::gauge:
                    out += name + renderLabels(labels) + " " +
                           std::to_string(f.gauges[index].value()) + "\n";
                    break;
                case Kind::histogram: {
                    const Histogram& h = f.histograms[index];
                    const auto counts = h.bucketCounts();
                    std::uint64_t cumulative = 0;
                    for (std::size_t i = 0; i < counts.size(); ++i) {
                        cumulative += counts[i];
                        const double bound = i < h.upperBounds().size()
                                                 ? h.upperBounds()[i]
                                                 : std::numeric_limits<double>::infinity();
                        out += name + "_bucket" +
                               renderLabels(labels, "le", formatMetricValue(bound)) + " " +
                               std::to_string(cumulative) + "\n";
                    }
                    out += name + "_sum" + renderLabels(labels) + " " + formatMetricValue(h.sum()) +
                           "\n";
                    out += name + "_count" + renderLabels(labels) + " " +
                           std::to_string(h.count()) + "\n";
                    break;
                }
            }
        }
    }
    for (const auto& collect : collectors_) collect(out);
    return out;
}

}  // namespace pulsemeet::obs
