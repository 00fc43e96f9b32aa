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

namespace {

// hiredis's argv form of a command: pointers into `args`, which must outlive the call.
struct Argv {
    explicit Argv(const std::vector<std::string>& args) {
        pointers.reserve(args.size());
        lengths.reserve(args.size());
        for (const auto& arg : args) {
            pointers.push_back(arg.data());
            lengths.push_back(arg.size());
        }
    }
    int count() const { return static_cast<int>(pointers.size()); }

    std::vector<const char*> pointers;
    std::vector<std::size_t> lengths;
};

[[noreturn]] void lost(const redisContext& context) {
    throw ConnectionLost(context.err != 0 ? context.errstr : "Redis connection lost");
}

}  // namespace

ReplyPtr command(redisContext& context, const std::vector<std::string>& args) {
    Argv argv(args);
    ReplyPtr reply(static_cast<redisReply*>(
        redisCommandArgv(&context, argv.count(), argv.pointers.data(), argv.lengths.data())));
    if (!reply) lost(context);
    return reply;
}

std::vector<ReplyPtr> pipeline(redisContext& context,
                               const std::vector<std::vector<std::string>>& commands) {
    for (const auto& args : commands) {
        Argv argv(args);  // hiredis copies the command into its output buffer
        if (redisAppendCommandArgv(&context, argv.count(), argv.pointers.data(),
                                   argv.lengths.data()) != REDIS_OK) {
            lost(context);
        }
    }
    std::vector<ReplyPtr> replies;
    replies.reserve(commands.size());
    for (std::size_t i = 0; i < commands.size(); ++i) {
        void* raw = nullptr;
        if (redisGetReply(&context, &raw) != REDIS_OK || raw == nullptr) lost(context);
        replies.emplace_back(static_cast<redisReply*>(raw));
    }
    return replies;
}

}  // namespace pulsemeet::cluster
