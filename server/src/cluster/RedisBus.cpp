#include "cluster/RedisBus.hpp"

#include <algorithm>
#include <set>
#include <string_view>

#include "cluster/MemberEntry.hpp"
#include "cluster/RedisScripts.hpp"
#include "obs/Logger.hpp"
#include "wire/PeerId.hpp"
#include "wire/ServerMessages.hpp"

namespace pulsemeet::cluster {

namespace {

constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{2000};
constexpr std::chrono::milliseconds kHeldRetry{100};
// How often the worker looks for relays past their deadline, online or not: a sender hears
// peer-unreachable this long after the deadline at most (plus one blocked Redis call).
constexpr std::chrono::milliseconds kExpirySweep{100};
// A receiver drops a relay this long past the deadline it carries (the sender's wall clock):
// room for the clocks of two instances to differ and for the transit itself.
constexpr std::chrono::milliseconds kClockAllowance{1000};
constexpr std::chrono::milliseconds kSubscribeWait{1000};
constexpr std::chrono::seconds kStopFlush{2};
// Publishes sent in one round trip at most: enough for the queue a saturated instance builds
// between two round trips, small enough that one batch does not hold the worker for long.
constexpr std::size_t kMaxPipelined = 128;
// After (re)connecting, other instances get this long beyond their TTL to refresh their
// heartbeat before they are presumed dead: after a Redis restart every key is gone at once, and
// reconnecting takes up to one backoff step.
constexpr std::chrono::seconds kEvictionGrace{3};

// A state event's deadline until it is first held for a missing receiver.
constexpr auto kNoDeadline = std::chrono::steady_clock::time_point::max();

std::string text(const redisReply& reply) {
    return reply.str == nullptr ? std::string() : std::string(reply.str, reply.len);
}

std::int64_t unixMillisNow() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

RedisBus::RedisBus(RedisBusSettings settings, obs::Registry& registry, obs::Logger& logger,
                   ReadyHandler onReady)
    : settings_(std::move(settings)),
      keys_(settings_.prefix),
      instanceId_(wire::newPeerId()),
      metrics_(registry),
      logger_(logger),
      onReady_(std::move(onReady)),
      subscriber_(
          settings_.endpoint,
          [this](const std::string& channel, std::string payload) {
              onChannelMessage(channel, std::move(payload));
          },
          [this](bool up) { setSubscriberUp(up); }, logger) {}

RedisBus::~RedisBus() {
    stop();
}

void RedisBus::start(BusSink& sink) {
    sink_ = &sink;
    // Not ready until both connections work: /readyz says 503 meanwhile.
    onReady_(false);
    logger_.info("redis bus starting", {{"instance", instanceId_},
                                        {"addr", settings_.endpoint.host},
                                        {"port", settings_.endpoint.port},
                                        {"heartbeat_ttl_s", settings_.heartbeatTtl.count()}});
    subscriber_.start();
    worker_ = std::thread([this] { runWorker(); });
}

void RedisBus::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        wake_.notify_all();
    }
    if (worker_.joinable()) worker_.join();
    subscriber_.stop();
}

// ---- called by the hub (under its lock): only bookkeeping and enqueueing ----

void RedisBus::join(const std::string& roomId, const std::string& peerId, const std::string& name,
                    const std::string& mediaJson, int capacity, JoinCallback done) {
    enqueue(JoinOp{roomId, peerId, name, mediaJson, capacity, std::move(done)});
}

void RedisBus::leave(const std::string& roomId, const std::string& peerId,
                     wire::SharedMessage peerLeft) {
    ClusterEvent event{ClusterEvent::Kind::left,    instanceId_, roomId, peerId,   {},
                       wire::MessageType::peerLeft, {},          {},     *peerLeft};
    PublishOp op{
        roomId,     {"HDEL", keys_.members(roomId), peerId}, {}, ClusterEvent::Kind::left, {}, {},
        kNoDeadline};
    {
        std::lock_guard lock(mutex_);
        if (const auto room = local_.find(roomId); room != local_.end()) {
            room->second.erase(peerId);
            // No local peer left: its traffic is none of this instance's business any more.
            if (room->second.empty()) forgetLocalRoom(roomId);
        }
    }
    // A departure is never refused for lack of buffer: the membership must be cleaned.
    enqueuePublish(std::move(op), std::move(event), false);
}

void RedisBus::announceJoined(const std::string& roomId, const std::string& peerId,
                              const std::string& name, const std::string& mediaJson,
                              wire::SharedMessage peerJoined) {
    ClusterEvent event{ClusterEvent::Kind::joined,    instanceId_, roomId,    peerId,     {},
                       wire::MessageType::peerJoined, name,        mediaJson, *peerJoined};
    // Never refused either: the others would never hear of this peer (and it would never get
    // their offers). Joins are few: one per join the hub admitted.
    enqueuePublish({roomId, {}, {}, ClusterEvent::Kind::joined, {}, {}, kNoDeadline},
                   std::move(event), false);
}

void RedisBus::announceMedia(const std::string& roomId, const std::string& peerId,
                             const std::string& mediaJson, wire::SharedMessage mediaState) {
    std::string entry;
    {
        std::lock_guard lock(mutex_);
        const auto room = local_.find(roomId);
        if (room == local_.end()) return;
        const auto peer = room->second.find(peerId);
        if (peer == room->second.end()) return;
        peer->second.mediaJson = mediaJson;
        entry = MemberEntry{instanceId_, mediaJson, peer->second.name}.encode();
    }
    ClusterEvent event{ClusterEvent::Kind::media,     instanceId_, roomId,    peerId,     {},
                       wire::MessageType::mediaState, {},          mediaJson, *mediaState};
    if (!enqueuePublish(
            {roomId,
             {"EVAL", std::string(scripts::kUpdate), "1", keys_.members(roomId), peerId, entry},
             {},
             ClusterEvent::Kind::media,
             {},
             {},
             kNoDeadline},
            std::move(event), true)) {
        logger_.warn("redis bus buffer full: media-state shared later",
                     {{"room", roomId}, {"peer", peerId}});
        std::lock_guard lock(mutex_);
        unsharedMedia_.emplace(roomId, peerId);
    }
}

void RedisBus::reshareMedia() {
    std::vector<std::pair<std::string, std::string>> peers;
    {
        std::lock_guard lock(mutex_);
        if (unsharedMedia_.empty() || bufferedPublishes_ >= settings_.maxBuffered / 2) return;
        peers.assign(unsharedMedia_.begin(), unsharedMedia_.end());
        unsharedMedia_.clear();
    }
    for (const auto& [roomId, peerId] : peers) {
        std::string mediaJson;
        {
            std::lock_guard lock(mutex_);
            const auto room = local_.find(roomId);
            if (room == local_.end() || !room->second.contains(peerId)) continue;  // gone
            mediaJson = room->second.at(peerId).mediaJson;
        }
        // The current state, as the hub would have encoded it: later changes superseded the
        // ones that found no room.
        announceMedia(roomId, peerId, mediaJson,
                      wire::share(wire::encodeRelay(wire::MessageType::mediaState, roomId, peerId,
                                                    {}, mediaJson)));
    }
}

RelayOutcome RedisBus::relay(const std::string& roomId, const std::string& fromId,
                             const std::string& targetId, wire::MessageType type,
                             wire::SharedMessage message) {
    if (!roster_.contains(roomId, targetId)) return RelayOutcome::unknownTarget;
    ClusterEvent event{
        ClusterEvent::Kind::relay, instanceId_, roomId, fromId, targetId, type, {}, {}, *message};
    // Its deadline is set as it is queued.
    return enqueuePublish({roomId, {}, {}, ClusterEvent::Kind::relay, fromId, targetId, {}},
                          std::move(event), true)
               ? RelayOutcome::queued
               : RelayOutcome::overloaded;
}

void RedisBus::swapResumeNonce(const std::string& peerId, const std::string& expected,
                               const std::string& next, std::chrono::seconds ttl,
                               ResumeSwapCallback done) {
    enqueue(ResumeOp{peerId, expected, next, ttl, std::move(done)});
}

bool RedisBus::enqueuePublish(PublishOp op, ClusterEvent event, bool bounded) {
    std::lock_guard lock(mutex_);
    if (bounded && bufferedPublishes_ >= settings_.maxBuffered) {
        metrics_.dropped.inc();
        return false;
    }
    if (hasDeadline(op.kind)) {
        // Set under the lock, so queued relays' deadlines rise in queue order (expireRelays
        // stops at the first one still in time).
        op.deadline = Clock::now() + settings_.relayDeadline;
        event.expiresAtMs = unixMillisNow() + settings_.relayDeadline.count();
    }
    // Numbered in queue order: a room's events leave in sequence order, which receivers'
    // DuplicateFilter relies on.
    event.sequence = nextSequence_++;
    op.payload = encodeEvent(event);
    ++bufferedPublishes_;
    metrics_.buffered.set(static_cast<std::int64_t>(bufferedPublishes_));
    queue_.emplace_back(std::move(op));
    wake_.notify_one();
    return true;
}

void RedisBus::forgetLocalRoom(const std::string& roomId) {
    local_.erase(roomId);
    mediaOwners_.erase(roomId);
    subscriber_.unwant(keys_.channel(roomId));
    roster_.forgetRoom(roomId);
    duplicates_.forgetRoom(roomId);
}

void RedisBus::enqueue(Op op) {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(op));
    wake_.notify_one();
}

// ---- the worker thread ----

void RedisBus::runWorker() {
    std::optional<Clock::time_point> stopDeadline;
    std::unique_lock lock(mutex_);
    while (true) {
        const auto now = Clock::now();
        if (stopping_ && !stopDeadline) stopDeadline = now + kStopFlush;
        if (stopDeadline &&
            ((queue_.empty() && held_.empty()) || now >= *stopDeadline || !context_)) {
            break;
        }
        if (now >= nextExpirySweep_) {
            nextExpirySweep_ = now + kExpirySweep;
            lock.unlock();
            expireRelays(now);
            lock.lock();
        }
        if (!context_) {
            // Offline: joins are answered from what this instance knows, resumes waiting for a
            // swap are told `unknown` (the hub decides); publishes and stored nonces wait.
            std::vector<JoinOp> joins;
            std::vector<ResumeSwapCallback> resumes;
            std::vector<OwnerOp> claims;
            for (auto it = queue_.begin(); it != queue_.end();) {
                if (auto* join = std::get_if<JoinOp>(&*it)) {
                    joins.push_back(std::move(*join));
                    it = queue_.erase(it);
                } else if (auto* claim = std::get_if<OwnerOp>(&*it); claim && claim->done) {
                    claims.push_back(std::move(*claim));
                    it = queue_.erase(it);
                } else if (auto* resume = std::get_if<ResumeOp>(&*it); resume && resume->done) {
                    resumes.push_back(std::move(resume->done));
                    it = queue_.erase(it);
                } else {
                    ++it;
                }
            }
            lock.unlock();
            for (auto& join : joins) answerJoinOffline(join);
            for (auto& done : resumes) done(ResumeSwap::unknown);
            for (auto& claim : claims) answerOwnerOffline(claim);
            if (Clock::now() >= nextConnect_) connectWorker();
            lock.lock();
            if (!context_) {
                // Woken for the expiry sweep too: senders hear of their relays while Redis is out.
                wake_.wait_until(lock, std::min(nextConnect_, nextExpirySweep_), [this] {
                    return stopping_ || std::any_of(queue_.begin(), queue_.end(), [](auto& op) {
                               const auto* resume = std::get_if<ResumeOp>(&op);
                               const auto* claim = std::get_if<OwnerOp>(&op);
                               return std::holds_alternative<JoinOp>(op) ||
                                      (resume != nullptr && resume->done) ||
                                      (claim != nullptr && claim->done);
                           });
                });
            }
            continue;
        }
        try {
            if (now >= nextHeartbeat_) {
                lock.unlock();
                heartbeatAndCheckPeers();
                lock.lock();
            }
            if (reconcileWanted_) {
                reconcileWanted_ = false;
                lock.unlock();
                reregister(redisRunId() == runId_);
                lock.lock();
            }
            if (std::vector<PublishOp> batch = takePublishBatch(); !batch.empty()) {
                lock.unlock();
                try {
                    executeBatch(batch);
                } catch (const ConnectionLost&) {
                    lock.lock();
                    // Retried after the reconnect, in their order; some may have gone out.
                    for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
                        queue_.push_front(std::move(*it));
                    }
                    throw;
                }
                lock.lock();
                continue;
            }
            if (!queue_.empty()) {
                Op op = std::move(queue_.front());
                queue_.pop_front();
                lock.unlock();
                try {
                    execute(op);
                } catch (const ConnectionLost&) {
                    lock.lock();
                    queue_.push_front(std::move(op));  // retried after the reconnect
                    throw;
                }
                lock.lock();
                continue;
            }
            if (!held_.empty()) {
                lock.unlock();
                retryHeld();
                lock.lock();
            }
        } catch (const ConnectionLost& error) {
            if (lock.owns_lock()) lock.unlock();
            connectionLost(error);
            lock.lock();
            continue;
        }
        lock.unlock();
        reshareMedia();
        lock.lock();
        if (!queue_.empty()) continue;
        auto wakeAt = nextHeartbeat_;
        if (!held_.empty()) wakeAt = std::min(wakeAt, Clock::now() + kHeldRetry);
        if (reconcileWanted_) wakeAt = Clock::now();
        if (stopDeadline) wakeAt = std::min(wakeAt, *stopDeadline);
        wake_.wait_until(lock, wakeAt,
                         [this] { return !queue_.empty() || stopping_ || reconcileWanted_; });
    }
    if (context_) {
        lock.unlock();
        try {
            // A clean exit: the others may evict whatever this instance still had at once.
            command(*context_, {"DEL", keys_.heartbeat(instanceId_)});
        } catch (const ConnectionLost&) {
        }
        context_.reset();
    }
}

void RedisBus::connectWorker() {
    try {
        context_ = connectRedis(settings_.endpoint);
        connectedAt_ = Clock::now();
        // The same Redis as before (it hung, or only our connection broke) still has the
        // membership: a remote peer missing from it has left, and is announced so. A restarted
        // one may be empty until the others re-register: then absence means nothing.
        const std::string runId = redisRunId();
        const bool membershipIntact = !runId_.empty() && runId == runId_;
        runId_ = runId;
        command(*context_, {"SET", keys_.heartbeat(instanceId_), "1", "EX",
                            std::to_string(settings_.heartbeatTtl.count())});
        reregister(membershipIntact);
        std::lock_guard lock(mutex_);
        reconcileWanted_ = false;  // just done
    } catch (const ConnectionLost& error) {
        context_.reset();
        nextConnect_ = Clock::now() + backoff_;
        backoff_ = std::min(backoff_ * 2, kMaxBackoff);
        logger_.debug("redis bus cannot connect", {{"error", error.what()}});
        return;
    }
    backoff_ = kFirstBackoff;
    nextHeartbeat_ = Clock::now();
    metrics_.reconnects.inc();
    logger_.info("redis bus connected", {{"instance", instanceId_}});
    setWorkerUp(true);
}

void RedisBus::connectionLost(const ConnectionLost& error) {
    context_.reset();
    nextConnect_ = Clock::now() + backoff_;
    logger_.warn("redis bus connection lost; local rooms keep working", {{"error", error.what()}});
    setWorkerUp(false);
}

// Puts every local peer back into its room after Redis came back (possibly empty, after a
// restart without persistence). Forced: a peer already in a call is never refused.
void RedisBus::reregister(bool membershipIntact) {
    struct Registration {
        std::string roomId;
        std::string peerId;
        LocalPeer peer;
    };
    std::vector<Registration> registrations;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [roomId, peers] : local_) {
            for (const auto& [peerId, peer] : peers)
                registrations.push_back({roomId, peerId, peer});
        }
    }
    std::size_t announced = 0;
    const std::lock_guard answering(answerMutex_);  // room events wait: the roster is redone
    for (const auto& [roomId, peerId, peer] : registrations) {
        const ReplyPtr reply = command(
            *context_, {"EVAL", std::string(scripts::kJoin), "1", keys_.members(roomId), peerId,
                        MemberEntry{instanceId_, peer.mediaJson, peer.name}.encode(), "0", "1"});
        if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 3) continue;
        reconcileRoster(roomId, *reply->element[1], membershipIntact);
        if (reply->element[2]->integer == 1) continue;
        // It was not a member any more: Redis lost it (restart), or the others presumed this
        // instance dead and announced it gone. Tell them it is here; an instance that still
        // lists it ignores the news, one that dropped it announces a join.
        ClusterEvent event{ClusterEvent::Kind::joined,
                           instanceId_,
                           roomId,
                           peerId,
                           {},
                           wire::MessageType::peerJoined,
                           peer.name,
                           peer.mediaJson,
                           wire::encodePeerJoined(roomId, peerId, peer.name, peer.mediaJson)};
        command(*context_, {"PUBLISH", keys_.channel(roomId), encodeEvent(event)});
        metrics_.published.inc();
        ++announced;
    }
    if (!registrations.empty()) {
        logger_.info("redis bus re-registered local peers",
                     {{"peers", registrations.size()}, {"announced_again", announced}});
    }
}

void RedisBus::reconcileRoster(const std::string& roomId, const redisReply& members,
                               bool membershipIntact) {
    std::map<std::string, MemberEntry> remote;
    for (std::size_t i = 0; i + 1 < members.elements; i += 2) {
        auto entry = MemberEntry::decode(text(*members.element[i + 1]));
        if (entry && entry->instance != instanceId_) {
            remote.emplace(text(*members.element[i]), std::move(*entry));
        }
    }
    if (membershipIntact) {
        for (const auto& known : roster_.peers(roomId)) {
            if (remote.contains(known.peerId) || !roster_.remove(roomId, known.peerId)) continue;
            deliver(roomId, {}, wire::MessageType::peerLeft,
                    wire::encodePeerLeft(roomId, known.peerId));
            if (sink_ != nullptr) sink_->remoteMembershipChanged(roomId, known.peerId, false);
        }
    }
    for (const auto& [peerId, entry] : remote) {
        if (roster_.contains(roomId, peerId)) continue;
        roster_.add(roomId, peerId, {entry.instance, entry.name, entry.mediaJson});
        deliver(roomId, {}, wire::MessageType::peerJoined,
                wire::encodePeerJoined(roomId, peerId, entry.name, entry.mediaJson));
        if (sink_ != nullptr) sink_->remoteMembershipChanged(roomId, peerId, true);
    }
}

void RedisBus::execute(Op& op) {
    if (auto* join = std::get_if<JoinOp>(&op)) {
        executeJoin(*join);
        return;
    }
    if (auto* resume = std::get_if<ResumeOp>(&op)) {
        executeResumeSwap(*resume);
        return;
    }
    if (auto* owner = std::get_if<OwnerOp>(&op)) {
        executeOwner(*owner);
        return;
    }
    auto& publishOp = std::get<PublishOp>(op);
    if (const auto held = held_.find(publishOp.roomId); held != held_.end()) {
        held->second.push_back(std::move(publishOp));  // behind the room's earlier events
        return;
    }
    if (publish(publishOp)) {
        std::lock_guard lock(mutex_);
        --bufferedPublishes_;
        metrics_.buffered.set(static_cast<std::int64_t>(bufferedPublishes_));
    } else {
        held_[publishOp.roomId].push_back(std::move(publishOp));
    }
}

std::vector<RedisBus::PublishOp> RedisBus::takePublishBatch() {
    // The run of plain publishes at the front of the queue, each for a different room with
    // nothing held: a room's events then still go out one at a time in order (one that has to
    // be held holds the room's later ones, which are not in this batch), while events of many
    // rooms share one round trip. Shorter than two: the one-at-a-time path does it.
    std::vector<PublishOp> batch;
    std::set<std::string_view> rooms;
    auto end = queue_.begin();
    for (; end != queue_.end() && rooms.size() < kMaxPipelined; ++end) {
        const auto* op = std::get_if<PublishOp>(&*end);
        if (op == nullptr || !op->before.empty() || held_.contains(op->roomId) ||
            !rooms.insert(op->roomId).second) {
            break;
        }
    }
    if (rooms.size() < 2) return batch;
    batch.reserve(rooms.size());
    for (auto it = queue_.begin(); it != end; ++it)
        batch.push_back(std::get<PublishOp>(std::move(*it)));
    queue_.erase(queue_.begin(), end);
    return batch;
}

void RedisBus::executeBatch(std::vector<PublishOp>& batch) {
    const auto now = Clock::now();
    if (const auto expired = std::erase_if(
            batch, [&](const PublishOp& op) { return expiredBeforeSending(op, now); });
        expired > 0) {
        std::lock_guard lock(mutex_);
        bufferedPublishes_ -= expired;
        metrics_.buffered.set(static_cast<std::int64_t>(bufferedPublishes_));
    }
    std::size_t done = 0;
    std::vector<std::vector<std::string>> commands;
    commands.reserve(batch.size());
    for (const auto& op : batch)
        commands.push_back({"PUBLISH", keys_.channel(op.roomId), op.payload});
    // If the connection is lost now, the whole batch is sent again after the reconnect (those
    // still in time): Redis may have run some of it already, and a frozen Redis runs what it
    // was sent when it thaws. The events keep their numbers, so receivers drop the copies.
    const std::vector<ReplyPtr> replies =
        commands.empty() ? std::vector<ReplyPtr>{} : pipeline(*context_, commands);
    if (!commands.empty()) metrics_.batches.inc();
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (published(batch[i], *replies[i])) {
            ++done;
        } else {
            held_[batch[i].roomId].push_back(std::move(batch[i]));
        }
    }
    std::lock_guard lock(mutex_);
    bufferedPublishes_ -= done;
    metrics_.buffered.set(static_cast<std::int64_t>(bufferedPublishes_));
}

void RedisBus::executeJoin(JoinOp& op) {
    const std::string channel = keys_.channel(op.roomId);
    {
        std::lock_guard lock(mutex_);
        local_[op.roomId].insert_or_assign(op.peerId, LocalPeer{op.name, op.mediaJson});
        subscriber_.want(channel);
    }
    // Subscribed before the membership is read: no event between the two is missed.
    if (!subscriber_.awaitSubscribed(channel, kSubscribeWait)) {
        logger_.warn("redis bus: subscription not confirmed before join", {{"room", op.roomId}});
    }
    // From the membership read to the hub having entered the peer: room events wait (see
    // answerMutex_). Taken after the subscription is confirmed, which needs the subscriber.
    const std::lock_guard answering(answerMutex_);
    const ReplyPtr reply =
        command(*context_, {"EVAL", std::string(scripts::kJoin), "1", keys_.members(op.roomId),
                            op.peerId, MemberEntry{instanceId_, op.mediaJson, op.name}.encode(),
                            std::to_string(op.capacity), "0"});
    JoinOutcome outcome;
    // Known until now as a peer of another instance (it moved here, e.g. its instance died and
    // it resumed here): local from now on, so neither its old instance's eviction nor its
    // `left` announces it gone to the peers here.
    roster_.remove(op.roomId, op.peerId);
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 1) {
        logger_.error("redis join script failed", {{"reply", text(*reply)}});
        answerFromWhatIsKnown(op);
        return;
    }
    outcome.admitted = reply->element[0]->integer == 1;
    if (outcome.admitted && reply->elements > 1) {
        const redisReply& members = *reply->element[1];
        for (std::size_t i = 0; i + 1 < members.elements; i += 2) {
            const std::string peerId = text(*members.element[i]);
            const auto entry = MemberEntry::decode(text(*members.element[i + 1]));
            if (!entry || entry->instance == instanceId_) continue;
            const bool known = roster_.contains(op.roomId, peerId);
            roster_.add(op.roomId, peerId, {entry->instance, entry->name, entry->mediaJson});
            // Read here before its joined event arrived: that event will be taken as already
            // heard of, so the local peers already in the room hear of it now (the joiner is not
            // in the room yet and gets it in its room-joined).
            if (!known) {
                deliver(op.roomId, {}, wire::MessageType::peerJoined,
                        wire::encodePeerJoined(op.roomId, peerId, entry->name, entry->mediaJson));
            }
        }
    }
    if (!outcome.admitted) {
        std::lock_guard lock(mutex_);
        auto& peers = local_[op.roomId];
        peers.erase(op.peerId);
        if (peers.empty()) forgetLocalRoom(op.roomId);
    }
    outcome.remotePeers = roster_.peers(op.roomId);
    op.done(std::move(outcome));
}

void RedisBus::executeResumeSwap(ResumeOp& op) {
    const ReplyPtr reply =
        command(*context_,
                {"EVAL", std::string(scripts::kResumeSwap), "1", keys_.resume(op.peerId),
                 op.expected, op.next, std::to_string(std::max<std::int64_t>(op.ttl.count(), 1))});
    ResumeSwap answer = ResumeSwap::unknown;
    if (reply->type == REDIS_REPLY_INTEGER) {
        answer = reply->integer == 1 ? ResumeSwap::swapped : ResumeSwap::refused;
    } else {
        logger_.error("redis resume script failed", {{"reply", text(*reply)}});
    }
    if (op.done) op.done(answer);
}

void RedisBus::answerJoinOffline(JoinOp& op) {
    const std::lock_guard answering(answerMutex_);
    answerFromWhatIsKnown(op);
}

void RedisBus::answerFromWhatIsKnown(JoinOp& op) {
    JoinOutcome outcome;
    {
        std::lock_guard lock(mutex_);
        auto& peers = local_[op.roomId];
        const std::size_t others = peers.size() - (peers.contains(op.peerId) ? 1 : 0);
        outcome.admitted =
            others + roster_.count(op.roomId) < static_cast<std::size_t>(op.capacity);
        if (outcome.admitted) {
            peers.insert_or_assign(op.peerId, LocalPeer{op.name, op.mediaJson});
            subscriber_.want(keys_.channel(op.roomId));
        } else if (peers.empty()) {
            local_.erase(op.roomId);
        }
    }
    outcome.remotePeers = roster_.peers(op.roomId);
    op.done(std::move(outcome));
}

bool RedisBus::receiverExpected(const PublishOp& op) const {
    if (op.kind == ClusterEvent::Kind::relay) return roster_.contains(op.roomId, op.targetId);
    if (op.kind == ClusterEvent::Kind::sfu) {
        return roster_.contains(op.roomId, op.targetId) ||
               roster_.instances().contains(op.targetId);
    }
    return roster_.count(op.roomId) > 0;
}

// One attempt. True when the event is done with: delivered, not needed any more, or dropped.
// False when a receiver should exist but is not subscribed yet (it is reconnecting): held.
bool RedisBus::publish(PublishOp& op) {
    if (expiredBeforeSending(op, Clock::now())) return true;
    if (!op.before.empty()) {
        command(*context_, op.before);
        op.before.clear();
    }
    const ReplyPtr reply = command(*context_, {"PUBLISH", keys_.channel(op.roomId), op.payload});
    return published(op, *reply);
}

bool RedisBus::published(PublishOp& op, const redisReply& reply) {
    const std::string channel = keys_.channel(op.roomId);
    metrics_.published.inc();
    // PUBLISH counts this instance's own subscription too; only the others matter here.
    const long long receivers = (reply.type == REDIS_REPLY_INTEGER ? reply.integer : 0) -
                                (subscriber_.subscribed(channel) ? 1 : 0);
    logger_.debug("redis bus published", {{"room", op.roomId},
                                          {"peer", op.fromId},
                                          {"target", op.targetId},
                                          {"receivers", receivers}});
    if (receivers > 0) return true;
    if (!receiverExpected(op)) {
        if (op.kind == ClusterEvent::Kind::relay || op.kind == ClusterEvent::Kind::sfu) {
            drop(op, "the peer left");
        }
        return true;
    }
    const auto now = Clock::now();
    // State events wait for the receiver up to the hold limit from their first miss; relays
    // only as long as their deadline.
    if (op.deadline == kNoDeadline) op.deadline = now + settings_.holdLimit;
    if (now >= op.deadline) {
        giveUp(op, "its instance did not subscribe in time", true);
        return true;
    }
    return false;
}

bool RedisBus::expiredBeforeSending(const PublishOp& op, Clock::time_point now) {
    if (!hasDeadline(op.kind) || now < op.deadline) return false;
    giveUp(op, "its deadline passed", true);
    return true;
}

void RedisBus::expireRelays(Clock::time_point now) {
    std::vector<PublishOp> expired;
    {
        std::lock_guard lock(mutex_);
        // Queued relays' deadlines rise in queue order: the expired ones all come before the
        // first relay still in time. Counted first, so nothing is moved when nothing expired.
        auto end = queue_.begin();
        std::size_t count = 0;
        for (; end != queue_.end(); ++end) {
            const auto* op = std::get_if<PublishOp>(&*end);
            if (op == nullptr || !hasDeadline(op->kind)) continue;
            if (op->deadline > now) break;
            ++count;
        }
        if (count > 0) {
            std::deque<Op> kept;
            for (auto it = queue_.begin(); it != end; ++it) {
                auto* op = std::get_if<PublishOp>(&*it);
                if (op != nullptr && hasDeadline(op->kind)) {
                    expired.push_back(std::move(*op));
                } else {
                    kept.push_back(std::move(*it));
                }
            }
            queue_.erase(queue_.begin(), end);
            queue_.insert(queue_.begin(), std::make_move_iterator(kept.begin()),
                          std::make_move_iterator(kept.end()));
        }
    }
    // Held ones (worker thread only): a room's held events are few.
    for (auto room = held_.begin(); room != held_.end();) {
        auto& events = room->second;
        for (auto it = events.begin(); it != events.end();) {
            if (hasDeadline(it->kind) && it->deadline <= now) {
                expired.push_back(std::move(*it));
                it = events.erase(it);
            } else {
                ++it;
            }
        }
        room = events.empty() ? held_.erase(room) : std::next(room);
    }
    if (expired.empty()) return;
    {
        std::lock_guard lock(mutex_);
        bufferedPublishes_ -= expired.size();
        metrics_.buffered.set(static_cast<std::int64_t>(bufferedPublishes_));
    }
    // One line for the lot: an outage expires thousands.
    logger_.warn("redis bus: relays expired before they could cross; senders told peer-unreachable",
                 {{"events", expired.size()}});
    for (const auto& op : expired) giveUp(op, "its deadline passed", false);
}

std::string RedisBus::redisRunId() {
    const ReplyPtr reply = command(*context_, {"INFO", "server"});
    const std::string info = text(*reply);
    constexpr std::string_view kField = "run_id:";
    const auto at = info.find(kField);
    if (at == std::string::npos) return {};
    const auto start = at + kField.size();
    return info.substr(start, info.find_first_of("\r\n", start) - start);
}

void RedisBus::retryHeld() {
    for (auto room = held_.begin(); room != held_.end();) {
        auto& events = room->second;
        while (!events.empty()) {
            if (!publish(events.front())) break;
            events.pop_front();
            std::lock_guard lock(mutex_);
            --bufferedPublishes_;
            metrics_.buffered.set(static_cast<std::int64_t>(bufferedPublishes_));
        }
        room = events.empty() ? held_.erase(room) : std::next(room);
    }
}

void RedisBus::giveUp(const PublishOp& op, std::string_view why, bool logIt) {
    metrics_.dropped.inc();
    switch (op.kind) {
        case ClusterEvent::Kind::relay:
        case ClusterEvent::Kind::sfu:
        case ClusterEvent::Kind::chat:
            metrics_.expiredRelays.inc();
            break;
        case ClusterEvent::Kind::joined:
        case ClusterEvent::Kind::left:
        case ClusterEvent::Kind::owner:
            // The receiver missed it because its subscriber is away: it reconciles the room's
            // membership when its connection is back (reconcileWanted_).
            metrics_.expiredMembership.inc();
            break;
        case ClusterEvent::Kind::media:
            metrics_.expiredMedia.inc();
            break;
    }
    if (logIt) {
        logger_.warn(
            "redis bus gave up on an event",
            {{"room", op.roomId}, {"peer", op.fromId}, {"target", op.targetId}, {"why", why}});
    }
    if (op.kind != ClusterEvent::Kind::relay || op.fromId.empty()) return;
    // Its own code, so the client knows to retry the negotiation rather than forget the peer.
    deliver(op.roomId, op.fromId, wire::MessageType::error,
            wire::encodeError(
                {wire::ErrorCode::peerUnreachable,
                 "peer " + op.targetId + " could not be reached in time: " + std::string(why)},
                op.targetId));
}

void RedisBus::drop(const PublishOp& op, std::string_view why) {
    metrics_.dropped.inc();
    logger_.warn("redis bus dropped an event",
                 {{"room", op.roomId}, {"peer", op.fromId}, {"target", op.targetId}, {"why", why}});
    if (op.kind != ClusterEvent::Kind::relay || op.fromId.empty()) return;
    // The sender is told, exactly as when a local target is gone.
    deliver(
        op.roomId, op.fromId, wire::MessageType::error,
        wire::encodeError({wire::ErrorCode::peerNotFound,
                           "peer " + op.targetId + " could not be reached: " + std::string(why)}));
}

void RedisBus::heartbeatAndCheckPeers() {
    const auto now = Clock::now();
    const auto ttl = std::chrono::duration_cast<std::chrono::milliseconds>(settings_.heartbeatTtl);
    nextHeartbeat_ = now + std::max(ttl / 3, std::chrono::milliseconds(100));
    const ReplyPtr previous =
        command(*context_, {"SET", keys_.heartbeat(instanceId_), "1", "EX",
                            std::to_string(settings_.heartbeatTtl.count()), "GET"});
    if (previous->type == REDIS_REPLY_NIL) {
        // Our heartbeat had expired while the connection stayed up (the process was frozen,
        // or too slow): the others may have announced our peers as gone.
        logger_.warn("redis bus: own heartbeat lapsed; re-registering local peers",
                     {{"instance", instanceId_}});
        metrics_.reconnects.inc();
        reregister(true);
    }
    metrics_.subscriptions.set(static_cast<std::int64_t>(subscriber_.subscribedCount()));
    refreshOwnedRooms();
    if (now - connectedAt_ < settings_.heartbeatTtl + kEvictionGrace) return;
    std::set<std::string> watched = roster_.instances();
    {
        std::lock_guard lock(mutex_);
        for (const auto& [roomId, owner] : mediaOwners_) {
            if (owner != instanceId_) watched.insert(owner);
        }
    }
    for (const auto& instance : watched) {
        const ReplyPtr reply = command(*context_, {"EXISTS", keys_.heartbeat(instance)});
        if (reply->type == REDIS_REPLY_INTEGER && reply->integer == 0) evictInstance(instance);
    }
}

// `instance` stopped refreshing its heartbeat: it died without a goodbye. Its members leave
// every room this instance shares with it.
void RedisBus::evictInstance(const std::string& instance) {
    const auto peers = roster_.peersOf(instance);
    std::set<std::string> rooms;
    for (const auto& [roomId, peerId] : peers) rooms.insert(roomId);
    logger_.warn("redis bus: instance presumed dead",
                 {{"instance", instance}, {"peers", peers.size()}});
    for (const auto& roomId : rooms) {
        const ReplyPtr reply = command(*context_, {"EVAL", std::string(scripts::kEvict), "1",
                                                   keys_.members(roomId), instance});
        if (reply->type != REDIS_REPLY_ARRAY) continue;
        // This instance won the atomic removal of these peers, so it tells the other instances.
        for (std::size_t i = 0; i < reply->elements; ++i) {
            const std::string peerId = text(*reply->element[i]);
            const std::string envelope = wire::encodePeerLeft(roomId, peerId);
            ClusterEvent event{ClusterEvent::Kind::left,    instanceId_, roomId, peerId,  {},
                               wire::MessageType::peerLeft, {},          {},     envelope};
            command(*context_, {"PUBLISH", keys_.channel(roomId), encodeEvent(event)});
            metrics_.published.inc();
            metrics_.evicted.inc();
        }
    }
    // Local members hear of each departure once, whichever instance won the removal.
    for (const auto& [roomId, peerId] : peers) {
        if (roster_.remove(roomId, peerId)) {
            deliver(roomId, {}, wire::MessageType::peerLeft, wire::encodePeerLeft(roomId, peerId));
            if (sink_ != nullptr) sink_->remoteMembershipChanged(roomId, peerId, false);
        }
    }
    // Rooms whose media it served need a new owner (the hub claims them; the claims' answers
    // say who serves them now).
    {
        std::lock_guard lock(mutex_);
        std::erase_if(mediaOwners_, [&](const auto& room) { return room.second == instance; });
    }
    if (sink_ != nullptr) sink_->instanceGone(instance);
}

// ---- the subscriber thread ----

void RedisBus::onChannelMessage(const std::string& channel, std::string payload) {
    auto event = decodeEvent(payload);
    if (!event || event->roomId != keys_.roomOfChannel(channel)) {
        metrics_.dropped.inc();
        logger_.warn("redis bus: malformed event ignored", {{"channel", channel}});
        return;
    }
    if (event->source == instanceId_) return;  // our own echo: already delivered locally
    if (event->sequence != 0 &&
        !duplicates_.firstSighting(event->source, event->roomId, event->sequence)) {
        metrics_.duplicates.inc();
        logger_.debug("redis bus: duplicate event dropped",
                      {{"room", event->roomId},
                       {"from_instance", event->source},
                       {"seq", static_cast<std::int64_t>(event->sequence)}});
        return;
    }
    if (event->expiresAtMs != 0 && unixMillisNow() > event->expiresAtMs + kClockAllowance.count()) {
        // Its sender gave up on it long ago (and said so): a frozen Redis ran it late.
        metrics_.stale.inc();
        logger_.debug("redis bus: stale relay dropped",
                      {{"room", event->roomId}, {"from_instance", event->source}});
        return;
    }
    metrics_.received.inc();
    logger_.debug("redis bus received", {{"room", event->roomId},
                                         {"from_instance", event->source},
                                         {"peer", event->peerId},
                                         {"target", event->targetId},
                                         {"type", wire::toString(event->type)}});
    bool targetLocal = false;
    {
        std::lock_guard lock(mutex_);
        const auto room = local_.find(event->roomId);
        if (room == local_.end()) return;  // arrived after the last local peer left
        targetLocal = room->second.contains(event->targetId);
    }
    // Not while a join's answer is between its roster read and the hub entering the peer.
    const std::lock_guard answering(answerMutex_);
    switch (event->kind) {
        case ClusterEvent::Kind::joined: {
            // Already known (read with the membership at a join, which told the local peers then,
            // or re-announced after a Redis restart): they must not see it join twice.
            const bool known = roster_.contains(event->roomId, event->peerId);
            roster_.add(event->roomId, event->peerId,
                        {event->source, event->name, event->mediaJson});
            if (!known) {
                deliver(event->roomId, {}, event->type, std::move(event->envelope));
                sink_->remoteMembershipChanged(event->roomId, event->peerId, true);
            }
            break;
        }
        case ClusterEvent::Kind::left:
            if (roster_.remove(event->roomId, event->peerId)) {
                deliver(event->roomId, {}, event->type, std::move(event->envelope));
                sink_->remoteMembershipChanged(event->roomId, event->peerId, false);
            }
            break;
        case ClusterEvent::Kind::media:
            roster_.setMedia(event->roomId, event->peerId, event->mediaJson);
            deliver(event->roomId, {}, event->type, std::move(event->envelope));
            break;
        case ClusterEvent::Kind::relay:
            if (targetLocal) {
                deliver(event->roomId, event->targetId, event->type, std::move(event->envelope));
            }
            break;
        case ClusterEvent::Kind::sfu:
            receiveMedia(*event, targetLocal);
            break;
        case ClusterEvent::Kind::chat:
            deliver(event->roomId, {}, event->type, std::move(event->envelope));
            break;
        case ClusterEvent::Kind::owner:
            logger_.info("room media owner changed", {{"room", event->roomId},
                                                      {"owner", event->targetId},
                                                      {"from_instance", event->source}});
            {
                std::lock_guard lock(mutex_);
                if (event->targetId.empty()) {
                    mediaOwners_.erase(event->roomId);
                } else {
                    mediaOwners_[event->roomId] = event->targetId;
                }
            }
            sink_->mediaOwnerChanged(event->roomId, event->targetId);
            break;
    }
}

void RedisBus::deliver(const std::string& roomId, const std::string& targetId,
                       wire::MessageType type, std::string envelope) {
    if (sink_ != nullptr) {
        sink_->deliverFromCluster(roomId, targetId, type, wire::share(std::move(envelope)));
    }
}

void RedisBus::setWorkerUp(bool up) {
    std::lock_guard lock(mutex_);
    workerUp_ = up;
    const bool both = workerUp_ && subscriberUp_;
    metrics_.up.set(both ? 1 : 0);
    onReady_(both);
}

void RedisBus::setSubscriberUp(bool up) {
    std::lock_guard lock(mutex_);
    if (up && !subscriberUp_) {
        // Whatever was published while it was away is lost to it: the worker reads the
        // membership of its rooms again.
        reconcileWanted_ = true;
        wake_.notify_one();
    }
    subscriberUp_ = up;
    const bool both = workerUp_ && subscriberUp_;
    metrics_.up.set(both ? 1 : 0);
    onReady_(both);
}

}  // namespace pulsemeet::cluster
