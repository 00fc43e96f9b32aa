#pragma once

#include "config/Config.hpp"

namespace pulsemeet::app {

// Builds every part from the configuration, serves until SIGTERM/SIGINT, then drains:
// /readyz turns 503, the listener stops, sockets get 1012, and the process exits once they are
// gone or DRAIN_SECONDS have passed. Returns the process exit code.
int run(const config::Config& config);

}  // namespace pulsemeet::app
