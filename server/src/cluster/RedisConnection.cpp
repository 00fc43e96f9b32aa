#include "cluster/RedisConnection.hpp"

#include <sys/time.h>

namespace pulsemeet::cluster {
namespace {

timeval toTimeval(std::chrono::milliseconds duration) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(duration.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((duration.count() % 1000) * 1000);
    return tv;
}

void expectOk(redisContext& context, const std::vector<std::string>& args) {
    const ReplyPtr reply = command(context, args);
    if (reply->type == REDIS_REPLY_ERROR) {
        throw ConnectionLost(args.front() + " refused: " + std::string(reply->str, reply->len));
    }
}

}  // namespace

ContextPtr connectRedis(const RedisEndpoint& endpoint) {
    ContextPtr context(
        redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, toTimeval(endpoint.timeout)));
    if (!context) throw ConnectionLost("cannot allocate a Redis context");
    if (context->err != 0) throw ConnectionLost(context->errstr);
    if (redisSetTimeout(context.get(), toTimeval(endpoint.timeout)) != REDIS_OK) {
        throw ConnectionLost("cannot set the Redis I/O timeout");
    }
    if (!endpoint.password.empty()) expectOk(*context, {"AUTH", endpoint.password});
    if (endpoint.db != 0) expectOk(*context, {"SELECT", std::to_string(endpoint.db)});
    return context;
}

ReplyPtr command(redisContext& context, const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    argv.reserve(args.size());
    lengths.reserve(args.size());
    for (const auto& arg : args) {
        argv.push_back(arg.data());
        lengths.push_back(arg.size());
    }
    ReplyPtr reply(static_cast<redisReply*>(
        redisCommandArgv(&context, static_cast<int>(argv.size()), argv.data(), lengths.data())));
    if (!reply) {
        throw ConnectionLost(context.err != 0 ? context.errstr : "Redis connection lost");
    }
    return reply;
}

}  // namespace pulsemeet::cluster
