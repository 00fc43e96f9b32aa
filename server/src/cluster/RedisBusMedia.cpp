// RedisBus's side of rooms on the media server across instances (docs/architecture.md, "Rooms on
// the media server across instances"): who owns a room's media, kept in Redis, and the media
// signaling that crosses to the owner and back on the room's channel.
#include "cluster/RedisBus.hpp"
#include "cluster/RedisScripts.hpp"
#include "obs/Logger.hpp"

namespace pulsemeet::cluster {

namespace {

std::string text(const redisReply& reply) {
    return reply.str == nullptr ? std::string() : std::string(reply.str, reply.len);
}

// A leave carries nothing, but an event's message must not be empty.
constexpr std::string_view kNoPayload = "-";

}  // namespace

std::size_t RedisBus::remotePeerCount(const std::string& roomId) const {
    return roster_.count(roomId);
}

void RedisBus::claimMediaOwner(const std::string& roomId, const std::string& deadOwner,
                               OwnerCallback done) {
    enqueue(OwnerOp{roomId, deadOwner, std::move(done)});
}

void RedisBus::releaseMediaOwner(const std::string& roomId) {
    {
        std::lock_guard lock(mutex_);
        // Not refreshed from now on, even if the release waits for Redis.
        mediaOwners_.erase(roomId);
        if (ownedRooms_.erase(roomId) == 0) return;
    }
    enqueue(OwnerOp{roomId, {}, {}});
}

void RedisBus::sendMedia(MediaSignal signal) {
    const bool toOwner = towardsOwner(signal.type);
    ClusterEvent event;
    event.kind = ClusterEvent::Kind::sfu;
    event.source = instanceId_;
    event.roomId = signal.roomId;
    event.peerId = signal.peerId;
    event.targetId = toOwner ? signal.instance : signal.peerId;
    event.type = signal.type;
    event.envelope = signal.payload.empty() ? std::string(kNoPayload) : std::move(signal.payload);
    event.offer = signal.offer;
    PublishOp op{signal.roomId, {}, {}, ClusterEvent::Kind::sfu, {}, event.targetId, {}};
    if (!enqueuePublish(std::move(op), std::move(event), true)) {
        // The client's offer goes unanswered and it offers again (docs/protocol.md).
        logger_.warn("redis bus buffer full: media signaling dropped",
                     {{"room", signal.roomId}, {"peer", signal.peerId}});
    }
}

void RedisBus::announceChat(const std::string& roomId, const std::string& peerId,
                            wire::SharedMessage chat) {
    if (roster_.count(roomId) == 0) return;  // nobody elsewhere
    ClusterEvent event{ClusterEvent::Kind::chat, instanceId_, roomId, peerId, {},
                       wire::MessageType::chat,  {},          {},     *chat};
    if (!enqueuePublish({roomId, {}, {}, ClusterEvent::Kind::chat, {}, {}, {}}, std::move(event),
                        true)) {
        logger_.warn("redis bus buffer full: chat dropped", {{"room", roomId}, {"peer", peerId}});
    }
}

void RedisBus::executeOwner(OwnerOp& op) {
    const std::string key = keys_.mediaOwner(op.roomId);
    if (!op.done) {
        const ReplyPtr reply = command(
            *context_, {"EVAL", std::string(scripts::kReleaseMediaOwner), "1", key, instanceId_});
        if (reply->type == REDIS_REPLY_INTEGER && reply->integer == 1) {
            logger_.info("room media owner released", {{"room", op.roomId}});
            publishOwner(op.roomId, {});
        }
        return;
    }
    const ReplyPtr reply =
        command(*context_, {"EVAL", std::string(scripts::kClaimMediaOwner), "1", key, instanceId_,
                            std::to_string(settings_.heartbeatTtl.count()), op.deadOwner});
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 2) {
        logger_.error("redis media owner script failed", {{"reply", text(*reply)}});
        op.done({});
        return;
    }
    const std::string owner = text(*reply->element[0]);
    const bool changed = reply->element[1]->integer == 1;
    {
        std::lock_guard lock(mutex_);
        if (owner == instanceId_) ownedRooms_.insert(op.roomId);
        // Watched only while the room has local peers (forgetLocalRoom).
        if (local_.contains(op.roomId)) mediaOwners_[op.roomId] = owner;
    }
    if (changed) {
        metrics_.mediaClaims.inc();
        if (!op.deadOwner.empty()) metrics_.mediaTakeovers.inc();
        logger_.info(op.deadOwner.empty() ? "room media owner claimed" : "room media taken over",
                     {{"room", op.roomId}, {"owner", owner}, {"dead_owner", op.deadOwner}});
        publishOwner(op.roomId, owner);
    }
    op.done(owner);
}

void RedisBus::answerOwnerOffline(OwnerOp& op) {
    bool owned = false;
    {
        std::lock_guard lock(mutex_);
        owned = ownedRooms_.contains(op.roomId);
    }
    op.done(owned ? instanceId_ : std::string());
}

void RedisBus::refreshOwnedRooms() {
    std::set<std::string> owned;
    {
        std::lock_guard lock(mutex_);
        owned = ownedRooms_;
    }
    for (const auto& roomId : owned) {
        const ReplyPtr reply =
            command(*context_,
                    {"EVAL", std::string(scripts::kClaimMediaOwner), "1", keys_.mediaOwner(roomId),
                     instanceId_, std::to_string(settings_.heartbeatTtl.count()), ""});
        if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 2) continue;
        const std::string owner = text(*reply->element[0]);
        if (reply->element[1]->integer == 1) {
            // The key was gone (a Redis restart): the room keeps its owner.
            logger_.info("room media owner re-claimed", {{"room", roomId}});
            publishOwner(roomId, owner);
            continue;
        }
        if (owner == instanceId_) continue;
        {
            std::lock_guard lock(mutex_);
            ownedRooms_.erase(roomId);
            if (local_.contains(roomId)) mediaOwners_[roomId] = owner;
        }
        // Presumed dead meanwhile (frozen longer than the TTL), and another instance took over.
        logger_.warn("room media owner lost to another instance",
                     {{"room", roomId}, {"owner", owner}});
        if (sink_ != nullptr) sink_->mediaOwnerChanged(roomId, owner);
    }
}

void RedisBus::publishOwner(const std::string& roomId, const std::string& owner) {
    ClusterEvent event;
    event.kind = ClusterEvent::Kind::owner;
    event.source = instanceId_;
    event.roomId = roomId;
    event.peerId = instanceId_;
    event.targetId = owner;
    event.type = wire::MessageType::roomMode;
    event.envelope = std::string(kNoPayload);
    // Unnumbered: receivers apply it idempotently (the owner it names is the owner).
    command(*context_, {"PUBLISH", keys_.channel(roomId), encodeEvent(event)});
    metrics_.published.inc();
}

void RedisBus::receiveMedia(ClusterEvent& event, bool targetLocal) {
    const bool toOwner = towardsOwner(event.type);
    if (toOwner ? event.targetId != instanceId_ : !targetLocal) return;
    MediaSignal signal;
    signal.roomId = std::move(event.roomId);
    signal.peerId = std::move(event.peerId);
    signal.type = event.type;
    signal.offer = event.offer;
    signal.payload = event.envelope == kNoPayload ? std::string() : std::move(event.envelope);
    signal.instance = std::move(event.source);
    sink_->mediaFromCluster(std::move(signal));
}

}  // namespace pulsemeet::cluster
