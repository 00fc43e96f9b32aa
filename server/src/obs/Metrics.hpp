#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

// prometheus-cpp (core) keeps the metrics and writes the text format; this header only names
// its types, so the many files that update a metric do not compile its headers.
namespace prometheus {
class Collectable;
class Counter;
class Gauge;
class Histogram;
}  // namespace prometheus

namespace pulsemeet::obs {

// Label names to values (the same type as prometheus::Labels). Every value must come from a
// fixed set (an enum, a list of known words, "other"): a value a client can choose freely
// makes a new series per request, and the registry never forgets one.
using Labels = std::map<std::string, std::string>;

// Handles onto prometheus-cpp metrics with the small interface the server uses. Updating one
// is a call on atomics (a histogram also takes its own short lock); no look-up, no allocation.
class Counter {
  public:
    explicit Counter(prometheus::Counter& metric) : metric_(&metric) {}
    void inc(std::uint64_t by = 1);
    std::uint64_t value() const;

  private:
    prometheus::Counter* metric_;
};

class Gauge {
  public:
    explicit Gauge(prometheus::Gauge& metric) : metric_(&metric) {}
    void inc(std::int64_t by = 1);
    void dec(std::int64_t by = 1);
    void set(std::int64_t to);
    std::int64_t value() const;

  private:
    prometheus::Gauge* metric_;
};

class Histogram {
  public:
    explicit Histogram(prometheus::Histogram& metric) : metric_(&metric) {}
    void observe(double value);
    // Many observations at once, already sorted into buckets: one increment per upper bound and
    // one for +Inf (not cumulative), and the sum of their values.
    void observeMany(const std::vector<double>& bucketIncrements, double sum);
    std::uint64_t count() const;  // observations so far

  private:
    prometheus::Histogram* metric_;
};

// The process's metrics and their Prometheus text exposition, served by our own HTTP router.
// Look a metric up once and keep the reference (valid for the registry's lifetime): a look-up
// takes locks and searches, an update does not. Asking again for the same name and labels
// returns the same metric; a name registered with two types throws std::logic_error.
class Registry {
  public:
    Registry();
    ~Registry();
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

    Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
    Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
    // `upperBounds` count only when the series is created.
    Histogram& histogram(const std::string& name, const std::string& help,
                         const std::vector<double>& upperBounds, const Labels& labels = {});

    // Families whose values are read at scrape time rather than kept here (process_* from
    // /proc); exposed after the registry's own, in the order added.
    void addCollectable(std::unique_ptr<prometheus::Collectable> collectable);

    // Every family, sorted by name and its series by labels, in the text format (0.0.4).
    std::string exposition() const;

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace pulsemeet::obs
