#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cluster/Bus.hpp"
#include "signaling/MessageCodec.hpp"
#include "signaling/PeerLink.hpp"
#include "signaling/SignalingMetrics.hpp"

namespace pulsemeet::obs {
class Logger;
}

namespace pulsemeet::signaling {

// What the hub needs from outside signaling, passed in so tests can supply their own.
struct HubOptions {
    int maxPeersPerRoom = 8;
    // room-joined's iceServers (JSON array text), made per join so TURN credentials are fresh.
    std::function<std::string(const std::string& peerId)> iceServersJson;
    // room-joined's iceTransportPolicy: "all", or "relay" when clients must use TURN only.
    std::string iceTransportPolicy = "all";
    // room-joined's resumeToken for (roomId, peerId).
    std::function<std::string(const std::string& roomId, const std::string& peerId)> resumeToken;
    // Shares rooms with other instances. Null, or a bus that is not clustered (NoopBus): this
    // instance alone, and the hub never calls it.
    cluster::Bus* bus = nullptr;
};

// What a connection may do, decided at the upgrade (e.g. from a room token).
struct Admission {
    std::string room = "*";  // the only room it may join; * for any
    std::string name;        // when set, overrides the client's display name
};

// Rooms, their members and the relay between them. All state sits behind one mutex: work under
// it is a few map look-ups and queue pushes, never I/O.
class Hub final : public cluster::BusSink {
  public:
    using Clock = std::chrono::steady_clock;

    Hub(HubOptions options, SignalingMetrics& metrics, obs::Logger& logger);

    // A connection arrived; `peerId` is its id for life.
    void attach(const std::string& peerId, std::shared_ptr<PeerLink> link, Admission admission);
    // The connection is gone: leaves its room (peer-left to the others).
    void detach(const std::string& peerId);
    // A validated message from `peerId`, read at `readAt`.
    void handle(const std::string& peerId, const ClientMessage& message, Clock::time_point readAt);
    // Sends one message to one connection (errors, pongs) and counts it.
    void reply(const std::string& peerId, MessageType type, SharedMessage message);
    // From another instance, through the bus: to one local peer, or to the room's local peers.
    void deliverFromCluster(const std::string& roomId, const std::string& targetId,
                            MessageType type, const SharedMessage& message) override;

    // Closes every connection, and every one attached from now on, with `code`.
    void closeAll(CloseCode code, std::string_view reason);
    // Forgets every connection without announcing anything: for the end of the process.
    void releaseAll();

    std::size_t connectionCount() const;
    std::size_t roomCount() const;
    std::vector<std::string> roomMembers(const std::string& roomId) const;

  private:
    struct Member {
        std::string name;
        std::string mediaJson;
    };
    struct Room {
        std::map<std::string, Member> members;  // ordered: room-joined lists peers stably
    };
    struct Connection {
        std::shared_ptr<PeerLink> link;
        Admission admission;
        std::string roomId;  // empty when in no room
    };

    void join(const std::string& peerId, Connection& connection, const ClientMessage& message);
    // Clustered join, second half: the bus has answered for the whole cluster.
    void completeJoin(const std::string& peerId, const std::string& roomId, const std::string& name,
                      cluster::JoinOutcome outcome);
    void enter(const std::string& peerId, Connection& connection, const std::string& roomId,
               const std::string& name, const std::vector<cluster::RemotePeer>& remotePeers);
    void leaveRoom(const std::string& peerId, Connection& connection);
    void relay(const std::string& peerId, Connection& connection, const ClientMessage& message,
               Clock::time_point readAt);
    bool relayToCluster(const std::string& peerId, Connection& connection,
                        const ClientMessage& message);
    void mediaState(const std::string& peerId, Connection& connection,
                    const ClientMessage& message);
    void sendError(Connection& connection, ErrorCode code, std::string text);
    void send(Connection& connection, MessageType type, const SharedMessage& message);
    void broadcast(const Room& room, const std::string& exceptPeerId, MessageType type,
                   const SharedMessage& message);

    HubOptions options_;
    const bool clustered_;  // checked before any bus call: one instance never touches the bus
    SignalingMetrics& metrics_;
    obs::Logger& logger_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Connection> connections_;
    std::unordered_map<std::string, Room> rooms_;
    struct Closing {
        CloseCode code;
        std::string reason;
    };
    std::optional<Closing> closingWith_;  // set once closeAll ran
};

}  // namespace pulsemeet::signaling
