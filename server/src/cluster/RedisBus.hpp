#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "cluster/Bus.hpp"
#include "cluster/BusMetrics.hpp"
#include "cluster/ClusterEvent.hpp"
#include "cluster/DuplicateFilter.hpp"
#include "cluster/RedisConnection.hpp"
#include "cluster/RedisKeys.hpp"
#include "cluster/RemoteRoster.hpp"
#include "cluster/Subscriber.hpp"

namespace pulsemeet::obs {
class Logger;
class Registry;
}  // namespace pulsemeet::obs

namespace pulsemeet::cluster {

struct RedisBusSettings {
    RedisEndpoint endpoint;
    std::string prefix = "pulsemeet";
    // TTL of this instance's heartbeat key; others evict its peers once it has expired.
    std::chrono::seconds heartbeatTtl{10};
    // Events held while Redis is down or their receiver has not (re)subscribed yet.
    std::size_t maxBuffered = 4096;
    // How long a relay (offer, answer, ICE candidate) may take to cross, from the moment the hub
    // hands it over: later, it belongs to a negotiation that has moved on. One still queued or
    // held then is dropped and its sender told peer-unreachable; receivers drop one that arrives
    // later than this (plus kClockAllowance) after it was sent.
    std::chrono::milliseconds relayDeadline{2000};
    // How long joined/left/media events, which have no deadline (they describe state: late is
    // still right), wait for a receiver the roster says exists but that is not subscribed.
    std::chrono::seconds holdLimit{30};
};

// Rooms shared through Redis. Two threads, each with a blocking hiredis connection: the worker
// runs commands from a queue (membership scripts, PUBLISH, heartbeat, liveness checks), the
// Subscriber reads the room channels. Blocking connections on dedicated threads were chosen
// over hiredis's async API on Asio: no adapter to write and get right, no Redis round trip on
// an I/O thread, and the hub only ever enqueues (cheap, under its lock) or gets called back.
class RedisBus final : public Bus {
  public:
    using ReadyHandler = std::function<void(bool up)>;

    RedisBus(RedisBusSettings settings, obs::Registry& registry, obs::Logger& logger,
             ReadyHandler onReady);
    ~RedisBus() override;

    const std::string& instanceId() const { return instanceId_; }

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
    void swapResumeNonce(const std::string& peerId, const std::string& expected,
                         const std::string& next, std::chrono::seconds ttl,
                         ResumeSwapCallback done) override;

    // Rooms on the media server across instances (RedisBusMedia.cpp).
    bool sharesMediaServers() const override { return true; }
    std::string instance() const override { return instanceId_; }
    std::size_t remotePeerCount(const std::string& roomId) const override;
    void claimMediaOwner(const std::string& roomId, const std::string& deadOwner,
                         OwnerCallback done) override;
    void releaseMediaOwner(const std::string& roomId) override;
    void sendMedia(MediaSignal signal) override;
    void announceChat(const std::string& roomId, const std::string& peerId,
                      wire::SharedMessage chat) override;

  private:
    using Clock = std::chrono::steady_clock;
    struct LocalPeer {
        std::string name;
        std::string mediaJson;
    };
    struct JoinOp {
        std::string roomId;
        std::string peerId;
        std::string name;
        std::string mediaJson;
        int capacity;
        JoinCallback done;
    };
    // One event to publish, after an optional membership command (HDEL, update script).
    struct PublishOp {
        std::string roomId;
        std::vector<std::string> before;  // empty: none
        std::string payload;              // the encoded event, numbered at enqueue
        ClusterEvent::Kind kind;
        std::string fromId;    // relay: told when the event cannot cross
        std::string targetId;  // relay: the peer that must be subscribed
        // Relays: when they become worthless (set at enqueue). Other events: none until they are
        // first held for a missing receiver, then when the hold gives up.
        Clock::time_point deadline = Clock::time_point::max();
    };
    // A resume nonce compare-and-set. With `done` (a resume waiting for the answer) it is
    // answered `unknown` at once while Redis is unreachable; without, it waits for Redis.
    struct ResumeOp {
        std::string peerId;
        std::string expected;
        std::string next;
        std::chrono::seconds ttl;
        ResumeSwapCallback done;
    };
    // Claims (done set) or releases (done empty) a room's media ownership.
    struct OwnerOp {
        std::string roomId;
        std::string deadOwner;
        OwnerCallback done;
    };
    using Op = std::variant<JoinOp, PublishOp, ResumeOp, OwnerOp>;
    // Whether an event kind has a deadline (relays and media signaling: late is worthless; chat
    // is held no longer than a relay, so a conversation never arrives minutes late).
    static bool hasDeadline(ClusterEvent::Kind kind) {
        return kind == ClusterEvent::Kind::relay || kind == ClusterEvent::Kind::sfu ||
               kind == ClusterEvent::Kind::chat;
    }

    // Numbers `event`, encodes it into `op` and queues it. `bounded`: refused (false) when the
    // buffer is full; membership events are not (they must not be lost, and are few).
    bool enqueuePublish(PublishOp op, ClusterEvent event, bool bounded);
    void enqueue(Op op);
    void runWorker();
    void connectWorker();
    void execute(Op& op);
    void executeJoin(JoinOp& op);
    void answerJoinOffline(JoinOp& op);
    void executeResumeSwap(ResumeOp& op);
    void executeOwner(OwnerOp& op);
    // Redis down: a claim is answered from what this instance knows (it owns the room or not).
    void answerOwnerOffline(OwnerOp& op);
    // The heartbeat keeps this instance's rooms: each owned room's key refreshed (re-claimed
    // after a Redis restart emptied it); a room another instance took meanwhile is let go.
    void refreshOwnedRooms();
    void publishOwner(const std::string& roomId, const std::string& owner);
    // A media signal from the room channel, for this instance or not.
    void receiveMedia(ClusterEvent& event, bool targetLocal);
    void answerFromWhatIsKnown(JoinOp& op);  // answerMutex_ held
    bool publish(PublishOp& op);             // true when done with (delivered or dropped)
    // What publish decides once PUBLISH has answered (how many instances received it).
    bool published(PublishOp& op, const redisReply& reply);
    // Relays past their deadline, queued or held, are dropped and their senders told.
    void expireRelays(Clock::time_point now);
    // True (and the relay given up) when `op` is a relay past its deadline.
    bool expiredBeforeSending(const PublishOp& op, Clock::time_point now);
    // An event that will not cross: counted by kind, and a relay's sender told peer-unreachable.
    void giveUp(const PublishOp& op, std::string_view why, bool logIt);
    // The Redis server's run_id: a different one after a reconnect means Redis restarted (and,
    // without persistence, lost the membership).
    std::string redisRunId();
    void reshareMedia();
    std::vector<PublishOp> takePublishBatch();  // mutex_ held
    void executeBatch(std::vector<PublishOp>& batch);
    bool receiverExpected(const PublishOp& op) const;
    void drop(const PublishOp& op, std::string_view why);
    void retryHeld();
    void heartbeatAndCheckPeers();
    void evictInstance(const std::string& instance);
    // Puts every local peer back into its room (after a reconnect, or after our heartbeat
    // lapsed and the others may have presumed us dead), tells the others of those they had
    // dropped, and brings the roster in line with the membership read at the same time.
    // `membershipIntact`: Redis kept its data (our connection never broke, only our heartbeat
    // lapsed), so a remote peer missing from a room has left. After a reconnect Redis may have
    // restarted empty and the others may not have re-registered yet: then absence means nothing.
    void reregister(bool membershipIntact);
    // The room's membership as the join script returned it: remote peers this instance missed
    // arriving (and, when the membership is intact, leaving) are announced to the local peers.
    // answerMutex_ held.
    void reconcileRoster(const std::string& roomId, const redisReply& members,
                         bool membershipIntact);
    void onChannelMessage(const std::string& channel, std::string payload);
    void connectionLost(const ConnectionLost& error);
    void setWorkerUp(bool up);
    void setSubscriberUp(bool up);
    void deliver(const std::string& roomId, const std::string& targetId, wire::MessageType type,
                 std::string envelope);
    // The local room is gone: its channel, roster and duplicate window with it. mutex_ held.
    void forgetLocalRoom(const std::string& roomId);

    RedisBusSettings settings_;
    RedisKeys keys_;
    std::string instanceId_;
    BusMetrics metrics_;
    obs::Logger& logger_;
    ReadyHandler onReady_;
    BusSink* sink_ = nullptr;
    RemoteRoster roster_;
    DuplicateFilter duplicates_;
    Subscriber subscriber_;

    // Held by the worker from a join's membership read to the end of its answer (the hub
    // entering the peer), and by the subscriber while it applies a room event to the roster and
    // delivers it. So a joining peer sees each remote event exactly once: in its room-joined or
    // as a message after entering, never between the two. Lock order: this, then the hub's lock,
    // then mutex_; never taken while holding mutex_.
    std::mutex answerMutex_;

    mutable std::mutex mutex_;  // guards everything below
    std::condition_variable wake_;
    bool stopping_ = false;
    std::deque<Op> queue_;
    std::size_t bufferedPublishes_ = 0;  // queued + held publishes, bounded by maxBuffered
    std::uint64_t nextSequence_ = 1;     // the number of the next event queued
    // The subscriber came back after a lost connection: what it missed meanwhile is read from the
    // membership (the worker re-registers and reconciles the roster).
    bool reconcileWanted_ = false;
    // (room, peer) whose media-state change found the buffer full: shared again, as the current
    // state, once the buffer is half empty.
    std::set<std::pair<std::string, std::string>> unsharedMedia_;
    std::map<std::string, std::map<std::string, LocalPeer>> local_;  // room -> local members
    std::set<std::string> ownedRooms_;  // rooms whose media this instance serves
    // Rooms with local peers -> the instance serving their media, as last heard: its heartbeat
    // is watched like that of instances with peers here (it may have none left).
    std::map<std::string, std::string> mediaOwners_;
    bool workerUp_ = false;
    bool subscriberUp_ = false;

    // Worker-thread only.
    std::map<std::string, std::deque<PublishOp>> held_;  // per room, in order
    ContextPtr context_;
    Clock::time_point connectedAt_{};
    Clock::time_point nextConnect_{};
    std::chrono::milliseconds backoff_{100};
    Clock::time_point nextHeartbeat_{};
    Clock::time_point nextExpirySweep_{};
    std::string runId_;  // of the Redis server last connected to
    std::thread worker_;
};

}  // namespace pulsemeet::cluster
