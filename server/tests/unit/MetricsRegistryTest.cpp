// obs::Registry over prometheus-cpp: look-ups that find the same series, the order and form of
// the exposition that dashboards and promtool read.
#include <gtest/gtest.h>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <memory>
#include <string>

#include "obs/Metrics.hpp"

using namespace pulsemeet::obs;

namespace {

// A scrape-time family, as the process metrics are.
class FixedCollectable : public prometheus::Collectable {
  public:
    std::vector<prometheus::MetricFamily> Collect() const override {
        prometheus::ClientMetric metric;
        metric.gauge.value = 7;
        return {{"aaa_collected", "Read at the scrape", prometheus::MetricType::Gauge, {metric}}};
    }
};

}  // namespace

TEST(MetricsRegistry, TheSameNameAndLabelsFindTheSameSeries) {
    Registry registry;
    Counter& first = registry.counter("pm_things_total", "Things", {{"kind", "a"}});
    Counter& again = registry.counter("pm_things_total", "Things", {{"kind", "a"}});
    Counter& other = registry.counter("pm_things_total", "Things", {{"kind", "b"}});
    EXPECT_EQ(&first, &again);
    EXPECT_NE(&first, &other);
    first.inc();
    again.inc(2);
    EXPECT_EQ(first.value(), 3u);
    EXPECT_EQ(other.value(), 0u);

    Gauge& gauge = registry.gauge("pm_open", "Open");
    gauge.inc(5);
    gauge.dec(7);
    EXPECT_EQ(registry.gauge("pm_open", "Open").value(), -2);

    Histogram& histogram = registry.histogram("pm_seconds", "Seconds", {0.1, 1});
    histogram.observe(0.5);
    EXPECT_EQ(registry.histogram("pm_seconds", "Seconds", {0.1, 1}).count(), 1u);
    EXPECT_THROW(registry.counter("pm_open", "clash"), std::logic_error);
}

TEST(MetricsRegistry, FamiliesSortedByNameSeriesByLabelsThenCollectables) {
    Registry registry;
    registry.addCollectable(std::make_unique<FixedCollectable>());
    registry.gauge("pm_zeta", "Last by name").set(1);
    registry.counter("pm_alpha_total", "First by name", {{"kind", "b"}}).inc();
    registry.counter("pm_alpha_total", "First by name", {{"kind", "a"}}).inc();
    const auto text = registry.exposition();
    EXPECT_EQ(text,
              "# HELP pm_alpha_total First by name\n"
              "# TYPE pm_alpha_total counter\n"
              "pm_alpha_total{kind=\"a\"} 1\n"
              "pm_alpha_total{kind=\"b\"} 1\n"
              "# HELP pm_zeta Last by name\n"
              "# TYPE pm_zeta gauge\n"
              "pm_zeta 1\n"
              "# HELP aaa_collected Read at the scrape\n"
              "# TYPE aaa_collected gauge\n"
              "aaa_collected 7\n");
}

TEST(MetricsRegistry, HistogramBucketsKeepTheirBoundsCumulativeWithInf) {
    Registry registry;
    auto& histogram =
        registry.histogram("pm_latency_seconds", "Latency", {0.00001, 0.0001, 0.0005, 0.1});
    histogram.observe(0.00001);  // on a bound: counted in that bucket (le)
    histogram.observe(0.0003);
    histogram.observe(2);
    const auto text = registry.exposition();
    EXPECT_NE(text.find("pm_latency_seconds_count 3\n"
                        "pm_latency_seconds_sum 2.00031\n"
                        "pm_latency_seconds_bucket{le=\"1e-05\"} 1\n"
                        "pm_latency_seconds_bucket{le=\"0.0001\"} 1\n"
                        "pm_latency_seconds_bucket{le=\"0.0005\"} 2\n"
                        "pm_latency_seconds_bucket{le=\"0.1\"} 2\n"
                        "pm_latency_seconds_bucket{le=\"+Inf\"} 3\n"),
              std::string::npos)
        << text;
}
