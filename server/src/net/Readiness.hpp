#pragma once

#include <atomic>

namespace pulsemeet::net {

// Whether this instance should get new clients: not when draining (flipped once on SIGTERM),
// and not while the cluster bus is down (its rooms would be cut off from the other instances).
class Readiness {
  public:
    void startDraining() { draining_.store(true, std::memory_order_relaxed); }
    bool draining() const { return draining_.load(std::memory_order_relaxed); }
    void setBusUp(bool up) { busUp_.store(up, std::memory_order_relaxed); }
    bool busUp() const { return busUp_.load(std::memory_order_relaxed); }
    bool ready() const { return !draining() && busUp(); }

  private:
    std::atomic<bool> draining_{false};
    std::atomic<bool> busUp_{true};
};

}  // namespace pulsemeet::net
