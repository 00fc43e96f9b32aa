#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace pulsemeet::cluster {

// Where Redis is and how to log in. `db` only matters for keys: pub/sub ignores databases, which
// is why channels carry REDIS_CHANNEL as a prefix too.
struct RedisEndpoint {
    std::string host = "127.0.0.1";
    std::uint16_t port = 6379;
    std::string password;
    int db = 0;
    std::chrono::milliseconds timeout{1000};
};

struct ContextDeleter {
    void operator()(redisContext* context) const { redisFree(context); }
};
struct ReplyDeleter {
    void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

// The connection is unusable (refused, reset, timed out): the caller reconnects.
class ConnectionLost : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Connects with the endpoint's timeout as connect and I/O timeout, then AUTH and SELECT.
ContextPtr connectRedis(const RedisEndpoint& endpoint);

// One blocking command. Throws ConnectionLost on I/O failure; a Redis error reply
// (REDIS_REPLY_ERROR) is returned for the caller to judge.
ReplyPtr command(redisContext& context, const std::vector<std::string>& args);

// Several commands in one round trip: all are written, then the replies are read, in order.
// Throws ConnectionLost on I/O failure, after which any of them may or may not have run.
std::vector<ReplyPtr> pipeline(redisContext& context,
                               const std::vector<std::vector<std::string>>& commands);

}  // namespace pulsemeet::cluster
