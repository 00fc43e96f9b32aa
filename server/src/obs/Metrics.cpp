#include "obs/Metrics.hpp"

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <mutex>
#include <utility>

namespace pulsemeet::obs {

void Counter::inc(std::uint64_t by) {
    metric_->Increment(static_cast<double>(by));
}

std::uint64_t Counter::value() const {
    return static_cast<std::uint64_t>(std::llround(metric_->Value()));
}

void Gauge::inc(std::int64_t by) {
    metric_->Increment(static_cast<double>(by));
}

void Gauge::dec(std::int64_t by) {
    metric_->Decrement(static_cast<double>(by));
}

void Gauge::set(std::int64_t to) {
    metric_->Set(static_cast<double>(to));
}

std::int64_t Gauge::value() const {
    return std::llround(metric_->Value());
}

void Histogram::observe(double value) {
    metric_->Observe(value);
}

void Histogram::observeMany(const std::vector<double>& bucketIncrements, double sum) {
    metric_->ObserveMultiple(bucketIncrements, sum);
}

std::uint64_t Histogram::count() const {
    return metric_->Collect().histogram.sample_count;
}

// prometheus-cpp's registry owns the metrics; ours keeps, per family name, the family to add
// series to, and per series the handle handed out (map nodes never move, so references stay).
// Asking again for a series finds its handle without constructing anything.
struct Registry::State {
    template <typename Metric, typename Handle>
    struct Kind {
        std::map<std::string, prometheus::Family<Metric>*> families;
        std::map<std::pair<std::string, Labels>, Handle> handles;
    };

    template <typename Metric, typename Handle, typename Builder, typename... Args>
    Handle& find(Kind<Metric, Handle>& kind, Builder build, const std::string& name,
                 const std::string& help, const Labels& labels, const Args&... args) {
        std::lock_guard lock(mutex);
        auto key = std::make_pair(name, labels);
        if (const auto known = kind.handles.find(key); known != kind.handles.end()) {
            return known->second;
        }
        auto family = kind.families.find(name);
        if (family == kind.families.end()) {
            // Throws std::invalid_argument (a logic_error) when another type has the name.
            auto& added = build().Name(name).Help(help).Register(registry);
            family = kind.families.emplace(name, &added).first;
        }
        Metric& metric = family->second->Add(labels, args...);
        return kind.handles.try_emplace(std::move(key), metric).first->second;
    }

    mutable std::mutex mutex;
    prometheus::Registry registry{prometheus::Registry::InsertBehavior::Throw};
    Kind<prometheus::Counter, Counter> counters;
    Kind<prometheus::Gauge, Gauge> gauges;
    Kind<prometheus::Histogram, Histogram> histograms;
    std::vector<std::unique_ptr<prometheus::Collectable>> collectables;
};

Registry::Registry() : state_(std::make_unique<State>()) {}

Registry::~Registry() = default;

Counter& Registry::counter(const std::string& name, const std::string& help, const Labels& labels) {
    return state_->find(state_->counters, prometheus::BuildCounter, name, help, labels);
}

Gauge& Registry::gauge(const std::string& name, const std::string& help, const Labels& labels) {
    return state_->find(state_->gauges, prometheus::BuildGauge, name, help, labels);
}

Histogram& Registry::histogram(const std::string& name, const std::string& help,
                               const std::vector<double>& upperBounds, const Labels& labels) {
    return state_->find(state_->histograms, prometheus::BuildHistogram, name, help, labels,
                        upperBounds);
}

void Registry::addCollectable(std::unique_ptr<prometheus::Collectable> collectable) {
    std::lock_guard lock(state_->mutex);
    state_->collectables.push_back(std::move(collectable));
}

std::string Registry::exposition() const {
    std::vector<prometheus::MetricFamily> families = state_->registry.Collect();
    // prometheus-cpp lists families by type and series in hash order; sorted, the page reads
    // the same from one scrape to the next.
    std::sort(families.begin(), families.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    for (auto& family : families) {
        std::sort(family.metric.begin(), family.metric.end(),
                  [](const auto& a, const auto& b) { return a.label < b.label; });
    }
    {
        std::lock_guard lock(state_->mutex);
        for (const auto& collectable : state_->collectables) {
            auto collected = collectable->Collect();
            std::move(collected.begin(), collected.end(), std::back_inserter(families));
        }
    }
    return prometheus::TextSerializer().Serialize(families);
}

}  // namespace pulsemeet::obs
