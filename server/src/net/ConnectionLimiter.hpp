#pragma once

#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace pulsemeet::net {

class ConnectionLimiter;

// One counted connection from one IP; gives its place back when destroyed. Moves from the
// HTTP session into the WebSocket session on upgrade, so a socket counts once for its life.
class ConnectionSlot {
  public:
    ConnectionSlot() = default;
    ConnectionSlot(ConnectionLimiter& limiter, std::string ip)
        : limiter_(&limiter), ip_(std::move(ip)) {}
    ConnectionSlot(ConnectionSlot&& other) noexcept
        : limiter_(std::exchange(other.limiter_, nullptr)), ip_(std::move(other.ip_)) {}
    ConnectionSlot& operator=(ConnectionSlot&& other) noexcept;
    ConnectionSlot(const ConnectionSlot&) = delete;
    ConnectionSlot& operator=(const ConnectionSlot&) = delete;
    ~ConnectionSlot() { release(); }

    // False for a connection over the cap (it holds no place).
    bool held() const { return limiter_ != nullptr; }

  private:
    void release();

    ConnectionLimiter* limiter_ = nullptr;
    std::string ip_;
};

// Concurrent connections per client IP (MAX_CONNS_PER_IP). One client cannot take every
// socket the process may open; the rest are answered 429 and closed. 0 disables the cap.
class ConnectionLimiter {
  public:
    explicit ConnectionLimiter(int perIp) : perIp_(perIp) {}

    // A held slot when `ip` is under the cap, else an empty one.
    ConnectionSlot acquire(const std::string& ip);
    int count(const std::string& ip) const;

  private:
    friend class ConnectionSlot;
    void release(const std::string& ip);

    int perIp_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, int> open_;  // only IPs with open connections
};

}  // namespace pulsemeet::net
