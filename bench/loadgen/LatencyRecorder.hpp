#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <string_view>
#include <vector>

namespace pulsemeet::bench {

// Every latency sample of a run, in microseconds; percentiles by sorting once at the end.
// A run holds at most a few million samples, so keeping them all is cheaper than being clever.
class LatencyRecorder {
  public:
    void add(std::int64_t micros) { samples_.push_back(micros < 0 ? 0 : micros); }
    std::size_t count() const { return samples_.size(); }
    // Adds p50/p90/p99/max in milliseconds under keys prefixed with `prefix`.
    void report(boost::json::object& out, std::string_view prefix);

  private:
    std::vector<std::int64_t> samples_;
};

}  // namespace pulsemeet::bench
