#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cluster/RedisConnection.hpp"

namespace pulsemeet::testing {

// A real redis-server on a free loopback port, without persistence, for cluster tests. It can be
// killed and started again on the same port (a Redis restart that loses every key).
class RedisServer {
  public:
    RedisServer();
    ~RedisServer();
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    std::uint16_t port() const { return port_; }
    std::string addr() const { return "127.0.0.1:" + std::to_string(port_); }

    void start();  // waits until it answers PING; throws at the deadline
    void kill();   // SIGKILL and reap
    // Sends `signal` to redis-server: SIGSTOP freezes it (its sockets stay open and the kernel
    // still accepts connections and bytes, but nothing is answered), SIGCONT thaws it.
    void signal(int signal);

    // One command on a fresh connection.
    cluster::ReplyPtr command(const std::vector<std::string>& args) const;
    // PUBSUB NUMSUB for one channel.
    long long subscribers(const std::string& channel) const;

  private:
    std::uint16_t port_;
    int pid_ = -1;
};

}  // namespace pulsemeet::testing
