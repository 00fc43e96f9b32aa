#pragma once

#include <boost/asio/thread_pool.hpp>

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "cluster/Bus.hpp"

namespace pulsemeet::obs {
class Logger;
}  // namespace pulsemeet::obs

namespace pulsemeet::cluster {

// One instance that goes through the hub's clustered path and logs every bus event (LOG_BUS=true):
// for debugging what the hub hands the bus, without Redis. Unlike NoopBus it reports
// clustered() == true, or the hub would never call it; so it must also do the one thing a
// clustered hub leaves to the bus, counting room capacity, and answer joins later on a thread of
// its own, as RedisBus does. No other instance exists: a relay to a peer not connected here is
// unknownTarget, exactly as without a bus.
class LogBus final : public Bus {
  public:
    explicit LogBus(obs::Logger& logger);
    ~LogBus() override;
    LogBus(const LogBus&) = delete;
    LogBus& operator=(const LogBus&) = delete;

    bool clustered() const override { return true; }
    void start(BusSink& sink) override;
    void stop() override;
    void join(const std::string& roomId, const std::string& peerId, const std::string& name,
              const std::string& mediaJson, int capacity, JoinCallback done) override;
    void leave(const std::string& roomId, const std::string& peerId,
               wire::SharedMessage peerLeft) override;
    void announceJoined(const std::string& roomId, const std::string& peerId,
                        const std::string& name, const std::string& mediaJson,
                        wire::SharedMessage peerJoined) override;
    void announceMedia(const std::string& roomId, const std::string& peerId,
                       const std::string& mediaJson, wire::SharedMessage mediaState) override;
    RelayOutcome relay(const std::string& roomId, const std::string& fromId,
                       const std::string& targetId, wire::MessageType type,
                       wire::SharedMessage message) override;
    // Logged; answered `unknown`: with one instance the hub's own memory decides.
    void swapResumeNonce(const std::string& peerId, const std::string& expected,
                         const std::string& next, std::chrono::seconds ttl,
                         ResumeSwapCallback done) override;

    // Members the bus counts in `roomId` (what capacity is checked against).
    std::size_t members(const std::string& roomId) const;

  private:
    JoinOutcome admit(const std::string& roomId, const std::string& peerId, int capacity);

    obs::Logger& logger_;
    mutable std::mutex mutex_;                            // guards rooms_
    std::map<std::string, std::set<std::string>> rooms_;  // room -> member peer ids
    // Last: destroyed (joined) first, while what its queued answers use still exists.
    boost::asio::thread_pool answers_{1};
};

}  // namespace pulsemeet::cluster
