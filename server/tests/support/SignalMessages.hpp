#pragma once

// Client messages the cluster tests relay between instances, built the same way everywhere.
#include <boost/json/object.hpp>

#include <string>

namespace pulsemeet::testing {

// An ice-candidate for `target` whose candidate line carries `index` as its foundation, so a
// receiver can tell which one arrived.
inline boost::json::object candidateTo(const std::string& target, int index) {
    return {{"type", "ice-candidate"},
            {"targetId", target},
            {"data",
             {{"candidate",
               "candidate:" + std::to_string(index) + " 1 udp 2122260223 127.0.0.1 54321 typ host"},
              {"sdpMid", "0"},
              {"sdpMLineIndex", 0}}}};
}

}  // namespace pulsemeet::testing
