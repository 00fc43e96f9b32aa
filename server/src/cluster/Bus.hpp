#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

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
};

}  // namespace pulsemeet::cluster
