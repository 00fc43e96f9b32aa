#include "cluster/LogBus.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

#include "obs/Logger.hpp"

namespace pulsemeet::cluster {

namespace {
constexpr std::string_view kLine = "cluster bus event";
}  // namespace

LogBus::LogBus(obs::Logger& logger) : logger_(logger) {}

LogBus::~LogBus() {
    stop();
}

void LogBus::start(BusSink&) {
    // Nothing ever arrives from another instance, so the sink is never called.
    logger_.info("log bus started: one instance, every cluster bus event is logged");
}

void LogBus::stop() {
    // Runs the join answers already queued, then ends the thread.
    answers_.join();
}

void LogBus::join(const std::string& roomId, const std::string& peerId, const std::string& name,
                  const std::string& mediaJson, int capacity, JoinCallback done) {
    logger_.info(kLine, {{"event", "join"},
                         {"room", roomId},
                         {"peer", peerId},
                         {"name", name},
                         {"media", mediaJson},
                         {"capacity", capacity}});
    // The hub calls this under its lock and takes it again in `done`: answer on our thread.
    boost::asio::post(answers_, [this, roomId, peerId, capacity, done = std::move(done)] {
        done(admit(roomId, peerId, capacity));
    });
}

JoinOutcome LogBus::admit(const std::string& roomId, const std::string& peerId, int capacity) {
    JoinOutcome outcome;
    std::size_t count = 0;
    {
        std::lock_guard lock(mutex_);
        auto& members = rooms_[roomId];
        // A peer already counted (a resume, a repeated join) keeps its place.
        outcome.admitted = members.contains(peerId) ||
                           members.size() < static_cast<std::size_t>(std::max(capacity, 0));
        if (outcome.admitted) members.insert(peerId);
        count = members.size();
        if (members.empty()) rooms_.erase(roomId);
    }
    logger_.info(kLine, {{"event", "join-answer"},
                         {"room", roomId},
                         {"peer", peerId},
                         {"admitted", outcome.admitted},
                         {"members", count}});
    return outcome;
}

void LogBus::leave(const std::string& roomId, const std::string& peerId,
                   wire::SharedMessage peerLeft) {
    {
        std::lock_guard lock(mutex_);
        if (const auto room = rooms_.find(roomId); room != rooms_.end()) {
            room->second.erase(peerId);
            if (room->second.empty()) rooms_.erase(room);
        }
    }
    logger_.info(kLine,
                 {{"event", "left"}, {"room", roomId}, {"peer", peerId}, {"msg", *peerLeft}});
}

void LogBus::announceJoined(const std::string& roomId, const std::string& peerId,
                            const std::string& name, const std::string& mediaJson,
                            wire::SharedMessage peerJoined) {
    logger_.info(kLine, {{"event", "joined"},
                         {"room", roomId},
                         {"peer", peerId},
                         {"name", name},
                         {"media", mediaJson},
                         {"msg", *peerJoined}});
}

void LogBus::announceMedia(const std::string& roomId, const std::string& peerId,
                           const std::string& mediaJson, wire::SharedMessage mediaState) {
    logger_.info(kLine, {{"event", "media"},
                         {"room", roomId},
                         {"peer", peerId},
                         {"media", mediaJson},
                         {"msg", *mediaState}});
}

RelayOutcome LogBus::relay(const std::string& roomId, const std::string& fromId,
                           const std::string& targetId, wire::MessageType type,
                           wire::SharedMessage message) {
    logger_.info(kLine, {{"event", "relay"},
                         {"room", roomId},
                         {"peer", fromId},
                         {"target", targetId},
                         {"type", wire::toString(type)},
                         {"msg", *message}});
    // The hub asks only when the target is not connected here; there is nowhere else it can be.
    return RelayOutcome::unknownTarget;
}

void LogBus::swapResumeNonce(const std::string& peerId, const std::string& expected,
                             const std::string& next, std::chrono::seconds ttl,
                             ResumeSwapCallback done) {
    logger_.info(kLine, {{"event", "resume-swap"},
                         {"peer", peerId},
                         {"expected", expected},
                         {"next", next},
                         {"ttl_s", ttl.count()}});
    if (!done) return;
    // The hub asks under its lock and takes it again in `done`: answer on our thread.
    boost::asio::post(answers_, [done = std::move(done)] { done(ResumeSwap::unknown); });
}

std::size_t LogBus::members(const std::string& roomId) const {
    std::lock_guard lock(mutex_);
    const auto room = rooms_.find(roomId);
    return room == rooms_.end() ? 0 : room->second.size();
}

}  // namespace pulsemeet::cluster
