#include "LatencyRecorder.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace pulsemeet::bench {

void LatencyRecorder::report(boost::json::object& out, std::string_view prefix) {
    std::sort(samples_.begin(), samples_.end());
    const auto at = [this](double quantile) -> double {
        if (samples_.empty()) return 0;
        const auto index = static_cast<std::size_t>(
            std::ceil(quantile * static_cast<double>(samples_.size())) - 1);
        return static_cast<double>(samples_[std::min(index, samples_.size() - 1)]) / 1000.0;
    };
    const std::string base(prefix);
    out[base + "p50_ms"] = at(0.50);
    out[base + "p90_ms"] = at(0.90);
    out[base + "p99_ms"] = at(0.99);
    out[base + "max_ms"] = samples_.empty() ? 0.0 : static_cast<double>(samples_.back()) / 1000.0;
}

}  // namespace pulsemeet::bench
