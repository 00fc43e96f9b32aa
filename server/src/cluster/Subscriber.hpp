#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "cluster/RedisConnection.hpp"
#include "cluster/WakeFd.hpp"

namespace pulsemeet::obs {
class Logger;
}

namespace pulsemeet::cluster {

// The one SUBSCRIBE connection, on its own thread. A subscribed hiredis connection only reads
// pushed messages, so the thread polls its socket plus a wake-up fd and sends SUBSCRIBE /
// UNSUBSCRIBE itself whenever the wanted set changes. After a lost connection it reconnects
// with backoff and subscribes to the whole wanted set again.
class Subscriber {
  public:
    using MessageHandler = std::function<void(const std::string& channel, std::string payload)>;
    using StateHandler = std::function<void(bool up)>;

    Subscriber(RedisEndpoint endpoint, MessageHandler onMessage, StateHandler onState,
               obs::Logger& logger);
    ~Subscriber();
    Subscriber(const Subscriber&) = delete;
    Subscriber& operator=(const Subscriber&) = delete;

    void start();
    void stop();

    void want(const std::string& channel);
    void unwant(const std::string& channel);
    // Waits until Redis confirmed the subscription; false at the deadline (e.g. Redis down).
    bool awaitSubscribed(const std::string& channel, std::chrono::milliseconds timeout);
    bool subscribed(const std::string& channel) const;
    std::size_t subscribedCount() const;

  private:
    void run();
    void serve(redisContext& context);
    void handleReply(const redisReply& reply);
    void backoff(std::chrono::milliseconds delay);

    RedisEndpoint endpoint_;
    MessageHandler onMessage_;
    StateHandler onState_;
    obs::Logger& logger_;
    WakeFd wake_;
    std::atomic<bool> stopping_{false};
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::set<std::string> wanted_;
    std::set<std::string> confirmed_;
    std::thread thread_;
};

}  // namespace pulsemeet::cluster
