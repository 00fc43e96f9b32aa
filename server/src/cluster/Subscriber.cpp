#include "cluster/Subscriber.hpp"

#include <poll.h>

#include <algorithm>
#include <vector>

#include "obs/Logger.hpp"

namespace pulsemeet::cluster {

namespace {

constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{2000};

std::string text(const redisReply& reply) {
    return reply.str == nullptr ? std::string() : std::string(reply.str, reply.len);
}

// Appends one SUBSCRIBE or UNSUBSCRIBE for `channels` to the context's output buffer.
void append(redisContext& context, const char* verb, const std::vector<std::string>& channels) {
    std::vector<const char*> argv{verb};
    std::vector<std::size_t> lengths{std::char_traits<char>::length(verb)};
    for (const auto& channel : channels) {
        argv.push_back(channel.data());
        lengths.push_back(channel.size());
    }
    redisAppendCommandArgv(&context, static_cast<int>(argv.size()), argv.data(), lengths.data());
}

}  // namespace

Subscriber::Subscriber(RedisEndpoint endpoint, MessageHandler onMessage, StateHandler onState,
                       obs::Logger& logger)
    : endpoint_(std::move(endpoint)),
      onMessage_(std::move(onMessage)),
      onState_(std::move(onState)),
      logger_(logger) {}

Subscriber::~Subscriber() {
    stop();
}

void Subscriber::start() {
    thread_ = std::thread([this] { run(); });
}

void Subscriber::stop() {
    stopping_.store(true);
    {
        std::lock_guard lock(mutex_);
        changed_.notify_all();
    }
    wake_.notify();
    if (thread_.joinable()) thread_.join();
}

void Subscriber::want(const std::string& channel) {
    {
        std::lock_guard lock(mutex_);
        if (!wanted_.insert(channel).second) return;
    }
    wake_.notify();
}

void Subscriber::unwant(const std::string& channel) {
    {
        std::lock_guard lock(mutex_);
        if (wanted_.erase(channel) == 0) return;
    }
    wake_.notify();
}

bool Subscriber::awaitSubscribed(const std::string& channel, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
        return stopping_.load() || confirmed_.contains(channel);
    }) && confirmed_.contains(channel);
}

bool Subscriber::subscribed(const std::string& channel) const {
    std::lock_guard lock(mutex_);
    return confirmed_.contains(channel);
}

std::size_t Subscriber::subscribedCount() const {
    std::lock_guard lock(mutex_);
    return confirmed_.size();
}

void Subscriber::backoff(std::chrono::milliseconds delay) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, delay, [this] { return stopping_.load(); });
}

void Subscriber::run() {
    auto delay = kFirstBackoff;
    while (!stopping_.load()) {
        ContextPtr context;
        try {
            context = connectRedis(endpoint_);
        } catch (const ConnectionLost& error) {
            logger_.debug("redis subscriber cannot connect", {{"error", error.what()}});
            backoff(delay);
            delay = std::min(delay * 2, kMaxBackoff);
            continue;
        }
        delay = kFirstBackoff;
        logger_.info("redis subscriber connected",
                     {{"addr", endpoint_.host}, {"port", endpoint_.port}});
        onState_(true);
        serve(*context);
        {
            std::lock_guard lock(mutex_);
            confirmed_.clear();
        }
        onState_(false);
        if (!stopping_.load()) {
            logger_.warn("redis subscriber connection lost", {{"error", context->errstr}});
            backoff(delay);
        }
    }
}

// Runs until the connection fails or stop(): keeps Redis's subscriptions equal to wanted_ and
// hands every pushed message to onMessage_.
void Subscriber::serve(redisContext& context) {
    std::set<std::string> sent;  // what this connection was asked to subscribe to
    while (!stopping_.load()) {
        std::vector<std::string> toSubscribe;
        std::vector<std::string> toUnsubscribe;
        {
            std::lock_guard lock(mutex_);
            std::set_difference(wanted_.begin(), wanted_.end(), sent.begin(), sent.end(),
                                std::back_inserter(toSubscribe));
            std::set_difference(sent.begin(), sent.end(), wanted_.begin(), wanted_.end(),
                                std::back_inserter(toUnsubscribe));
        }
        if (!toSubscribe.empty()) append(context, "SUBSCRIBE", toSubscribe);
        if (!toUnsubscribe.empty()) append(context, "UNSUBSCRIBE", toUnsubscribe);
        for (const auto& channel : toSubscribe) sent.insert(channel);
        for (const auto& channel : toUnsubscribe) sent.erase(channel);
        int done = 0;
        while (done == 0) {
            if (redisBufferWrite(&context, &done) != REDIS_OK) return;
        }

        pollfd fds[2] = {{context.fd, POLLIN, 0}, {wake_.fd(), POLLIN, 0}};
        // The timeout only bounds how late stop() is noticed if a wake-up were ever lost.
        if (::poll(fds, 2, 1000) < 0 && errno != EINTR) return;
        if ((fds[1].revents & POLLIN) != 0) wake_.drain();
        if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            if (redisBufferRead(&context) != REDIS_OK) return;
            void* raw = nullptr;
            while (redisGetReplyFromReader(&context, &raw) == REDIS_OK && raw != nullptr) {
                const ReplyPtr reply(static_cast<redisReply*>(raw));
                raw = nullptr;
                handleReply(*reply);
            }
            if (context.err != 0) return;
        }
    }
}

void Subscriber::handleReply(const redisReply& reply) {
    if (reply.type != REDIS_REPLY_ARRAY || reply.elements < 3) return;
    const std::string kind = text(*reply.element[0]);
    const std::string channel = text(*reply.element[1]);
    if (kind == "message") {
        onMessage_(channel, text(*reply.element[2]));
    } else if (kind == "subscribe") {
        std::lock_guard lock(mutex_);
        confirmed_.insert(channel);
        changed_.notify_all();
    } else if (kind == "unsubscribe") {
        std::lock_guard lock(mutex_);
        confirmed_.erase(channel);
    }
}

}  // namespace pulsemeet::cluster
