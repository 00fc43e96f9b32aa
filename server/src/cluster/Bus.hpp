#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "cluster/MediaSignal.hpp"
#include "wire/Protocol.hpp"
#include "wire/SharedMessage.hpp"

namespace pulsemeet::cluster {

// A peer connected to another instance, as this instance knows it.
struct RemotePeer {
    std::string peerId;
    std::string name;
    std::string mediaJson;
};

// The answer to a join: whether the room had space (counted across every instance) and who
// is already in it on other instances.
struct JoinOutcome {
    bool admitted = true;
    std::vector<RemotePeer> remotePeers;
};

enum class RelayOutcome {
    queued,         // on its way to the target's instance
    unknownTarget,  // no instance has this peer in this room
    overloaded,     // the bus's bounded buffer is full: the sender is told
};

// What the shared store said to a resume-nonce swap (see Bus::swapResumeNonce).
enum class ResumeSwap {
    swapped,  // it held `expected`, or nothing: `next` is current now
    refused,  // it held another nonce: the token presented was spent or revoked
    unknown,  // no answer (the store is unreachable, or there is none): decide from what is known
};

// Where the bus hands what other instances sent. Called from the bus's own threads, never
// while the bus holds a lock of its own.
class BusSink {
  public:
    virtual ~BusSink() = default;
    // To `targetId` when set, else to every local member of the room.
    virtual void deliverFromCluster(const std::string& roomId, const std::string& targetId,
                                    wire::MessageType type, const wire::SharedMessage& message) = 0;

    // Rooms on the media server across instances (Bus::sharesMediaServers). Default: nothing.
    // A remote peer joined or left a room that has local peers (the bus's roster changed).
    virtual void remoteMembershipChanged(const std::string& /*roomId*/,
                                         const std::string& /*peerId*/, bool /*joined*/) {}
    // Media signaling for this instance: to its media server (it owns the room) or to a local
    // peer (from the owner's media server).
    virtual void mediaFromCluster(MediaSignal /*signal*/) {}
    // The room's media owner is `owner` now (empty: released, nobody owns it).
    virtual void mediaOwnerChanged(const std::string& /*roomId*/, const std::string& /*owner*/) {}
    // `instance` is presumed dead (its heartbeat expired): rooms it owned need a new owner.
    virtual void instanceGone(const std::string& /*instance*/) {}
};

// Carries room events between instances. The hub calls it only for what concerns peers on other
// instances; a single instance (NoopBus) reports clustered() == false and the hub never calls
// anything else, so the single-instance path stays as it was.
class Bus {
  public:
    using JoinCallback = std::function<void(JoinOutcome)>;
    using ResumeSwapCallback = std::function<void(ResumeSwap)>;

    virtual ~Bus() = default;
    virtual bool clustered() const = 0;
    // Starts delivering to `sink`; the sink must outlive stop().
    virtual void start(BusSink& sink) = 0;
    // Stops the bus's threads; nothing is delivered to the sink afterwards.
    virtual void stop() = 0;

    // Registers `peerId` in the shared room (capacity checked atomically across instances).
    // `done` runs later on a bus thread, never inside this call.
    virtual void join(const std::string& roomId, const std::string& peerId, const std::string& name,
                      const std::string& mediaJson, int capacity, JoinCallback done) = 0;
    // Announces a local peer's departure and forgets its membership.
    virtual void leave(const std::string& roomId, const std::string& peerId,
                       wire::SharedMessage peerLeft) = 0;
    // Tells other instances a local peer joined (after join() admitted it).
    virtual void announceJoined(const std::string& roomId, const std::string& peerId,
                                const std::string& name, const std::string& mediaJson,
                                wire::SharedMessage peerJoined) = 0;
    virtual void announceMedia(const std::string& roomId, const std::string& peerId,
                               const std::string& mediaJson, wire::SharedMessage mediaState) = 0;
    // Sends a relayed message to a peer on another instance.
    virtual RelayOutcome relay(const std::string& roomId, const std::string& fromId,
                               const std::string& targetId, wire::MessageType type,
                               wire::SharedMessage message) = 0;
    // Resume tokens: makes `next` the current resume nonce of `peerId` if the current one is
    // `expected` or none is known, for `ttl` (one compare-and-set, so two instances can never
    // both accept one token). A resume asks with the token's nonce and waits for the answer;
    // a join stores its new token's nonce and a hang-up a tombstone without waiting (`done`
    // empty). `done` runs later on a bus thread, never inside this call.
    virtual void swapResumeNonce(const std::string& peerId, const std::string& expected,
                                 const std::string& next, std::chrono::seconds ttl,
                                 ResumeSwapCallback done) = 0;

    // ---- Rooms on the media server across instances (docs/architecture.md) ----
    // One instance's media server serves a room; the others route their clients' media
    // signaling to it. Buses that cannot (NoopBus, LogBus) keep the defaults: false, and a room
    // shared with other instances stays on the mesh.
    using OwnerCallback = std::function<void(std::string owner)>;
    virtual bool sharesMediaServers() const { return false; }
    // This instance's id, as owners are recorded.
    virtual std::string instance() const { return {}; }
    // Peers of the room on other instances, as this instance knows them.
    virtual std::size_t remotePeerCount(const std::string& /*roomId*/) const { return 0; }
    // Makes this instance the room's media owner unless another instance (other than
    // `deadOwner`, when set: one presumed dead) owns it; one atomic step, so of instances racing
    // only one wins. `done` gets the owner (this instance or the one that was there), or empty
    // when the store cannot be reached; it runs later on a bus thread, never inside this call.
    // Owned rooms are kept (the owner's heartbeat refreshes them) until released.
    virtual void claimMediaOwner(const std::string& /*roomId*/, const std::string& /*deadOwner*/,
                                 OwnerCallback done) {
        done({});
    }
    // This instance stops serving the room's media (the room went back to the mesh, or its last
    // local peer left); the others hear of it (BusSink::mediaOwnerChanged with no owner).
    virtual void releaseMediaOwner(const std::string& /*roomId*/) {}
    // Sends media signaling to the owner (towardsOwner: `signal.instance`) or to the
    // peer's instance (sfuAnswer, sfuTracks, sfuClosed). Like a relay: it has 2 s to cross.
    virtual void sendMedia(MediaSignal /*signal*/) {}
    // A local peer's chat over the WebSocket (rooms on the media server have no data channels),
    // to the room's members on other instances.
    virtual void announceChat(const std::string& /*roomId*/, const std::string& /*peerId*/,
                              wire::SharedMessage /*chat*/) {}
};

}  // namespace pulsemeet::cluster
