#pragma once

#include <atomic>

namespace pulsemeet::net {

// Whether this instance should get new clients. Flipped once by the drain on SIGTERM.
class Readiness {
  public:
    void startDraining() { draining_.store(true, std::memory_order_relaxed); }
    bool draining() const { return draining_.load(std::memory_order_relaxed); }
    bool ready() const { return !draining(); }

  private:
    std::atomic<bool> draining_{false};
};

}  // namespace pulsemeet::net
