#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace pulsemeet::obs {

using Labels = std::vector<std::pair<std::string, std::string>>;

// A sample value as the text format writes it: shortest round-trip form, +Inf/-Inf.
std::string formatMetricValue(double value);

class Counter {
  public:
    void inc(std::uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
    std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

  private:
    std::atomic<std::uint64_t> value_{0};
};

class Gauge {
  public:
    void inc(std::int64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
    void dec(std::int64_t by = 1) { value_.fetch_sub(by, std::memory_order_relaxed); }
    void set(std::int64_t to) { value_.store(to, std::memory_order_relaxed); }
    std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

  private:
    std::atomic<std::int64_t> value_{0};
};

// Cumulative buckets with fixed upper bounds; the sum is kept in nanounits to stay lock-free.
class Histogram {
  public:
    explicit Histogram(std::vector<double> upperBounds);
    void observe(double value);
    const std::vector<double>& upperBounds() const { return bounds_; }
    std::vector<std::uint64_t> bucketCounts() const;  // not cumulative; last = +Inf
    std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
    double sum() const;

  private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::int64_t> sumNano_{0};
};

// The process's metrics, rendered in the Prometheus text format. Look metrics up once and keep
// the reference: updating is lock-free, only registration and rendering take the lock.
class Registry {
  public:
    Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
    Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
    Histogram& histogram(const std::string& name, const std::string& help,
                         std::vector<double> upperBounds, const Labels& labels = {});

    // A source of families whose values are read at scrape time rather than kept here (the
    // process_* metrics from /proc). It appends complete families, HELP and TYPE included, in
    // the text format; registered once at start-up, called under the registry's lock.
    using Collector = std::function<void(std::string& out)>;
    void addCollector(Collector collector);

    std::string exposition() const;

  private:
    enum class Kind { counter, gauge, histogram };
    struct Family {
        Kind kind;
        std::string help;
        std::map<Labels, std::size_t> byLabels;  // index into the family's storage
        std::deque<Counter> counters;
        std::deque<Gauge> gauges;
        std::deque<Histogram> histograms;
    };
    Family& family(const std::string& name, const std::string& help, Kind kind);

    mutable std::mutex mutex_;
    std::map<std::string, Family> families_;
    std::vector<Collector> collectors_;
};

}  // namespace pulsemeet::obs
