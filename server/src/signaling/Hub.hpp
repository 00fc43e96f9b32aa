#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "cluster/Bus.hpp"
#include "signaling/ClientMessage.hpp"
#include "signaling/DeliveryLog.hpp"
#include "signaling/HeldPeers.hpp"
#include "signaling/MediaProbes.hpp"
#include "signaling/MediaServerPort.hpp"
#include "signaling/Membership.hpp"
#include "signaling/PeerLink.hpp"
#include "signaling/ResumeTokens.hpp"
#include "signaling/RoomMode.hpp"
#include "signaling/RoomRouter.hpp"
#include "signaling/SignalingMetrics.hpp"
#include "wire/ServerMessages.hpp"

namespace pulsemeet::obs {
class Logger;
}

namespace pulsemeet::signaling {

// What the hub needs from outside signaling, passed in so tests can supply their own.
struct HubOptions {
    int maxPeersPerRoom = 8;
    // room-joined's iceServers (JSON array text), made per join so TURN credentials are fresh;
    // their TURN credentials must not outlive `notAfter` (Unix seconds; 0: no bound), the
    // expiry of the room token the connection came in with.
    std::function<std::string(const std::string& peerId, std::int64_t notAfter)> iceServersJson;
    // room-joined's iceTransportPolicy: "all", or "relay" when clients must use TURN only.
    std::string iceTransportPolicy = "all";
    // Clients are handed a TURN relay: a pair that cannot connect directly uses it, so
    // mesh-unreachable does not move the room to the media server.
    bool turnConfigured = false;
    // Issues room-joined's resumeToken and checks a join's data.resumeToken. Null: no tokens
    // are issued and none is accepted.
    const ResumeTokens* resumeTokens = nullptr;
    // The wall clock tokens are issued and checked against (tests supply their own).
    std::function<std::chrono::system_clock::time_point()> wallClock;
    // How long a dropped peer's place is held, and how much is kept for it. A zero grace
    // announces peer-left as soon as the socket is gone.
    HoldLimits hold{std::chrono::milliseconds(0)};
    // Whether a client at `address` may enter `roomId`, which it is not in, without a resume
    // token (per-address limit on different rooms). Unset: always.
    std::function<bool(std::string_view address, std::string_view roomId)> admitRoomJoin;
    // Shares rooms with other instances. Null, or a bus that is not clustered (NoopBus): this
    // instance alone, and the hub never calls it.
    cluster::Bus* bus = nullptr;
    // When rooms use the media server (SFU_MODE, MESH_MAX_PEERS, MESH_RETURN_SECONDS).
    RoomModeOptions roomModes;
    // The media server. Null: there is none, and every room stays mesh. The hub calls it under
    // its lock, so its calls must return at once without calling back; `done` and its events
    // (mediaTracksAvailable, mediaTransportClosed) come later from another thread, and must stop
    // before the hub is destroyed.
    MediaServerPort* media = nullptr;
};

// An answer's or sfu-tracks' tracks as the wire lists them (HubMedia.cpp).
std::vector<wire::TrackSummary> sfuTrackSummaries(const std::vector<MediaTrack>& tracks,
                                                  bool withMid);

// How a connection ended: a client that closed its socket cleanly (1000/1001: hang-up, tab
// closed) left on purpose; anything else (reset, timeout, server-side close) may come back.
enum class Departure { dropped, left };

// Rooms, their members and the relay between them. All state sits behind one mutex: work under
// it is a few map look-ups and queue pushes, never I/O.
class Hub final : public cluster::BusSink {
  public:
    using Clock = std::chrono::steady_clock;

    Hub(HubOptions options, SignalingMetrics& metrics, obs::Logger& logger);

    // A connection arrived; `connectionId` names it for life and is its peer id until a join
    // resumes an earlier identity (then the hub re-keys it under the resumed peer id).
    void attach(const std::string& connectionId, std::shared_ptr<PeerLink> link,
                Admission admission);
    // The connection is gone. A dropped one's room place is held for the grace period (see
    // HeldPeers), then the others get peer-left; one that left gets peer-left at once.
    void detach(const std::string& connectionId, Departure departure = Departure::dropped);
    // A validated message from `connectionId`, read at `readAt`.
    void handle(const std::string& connectionId, const ClientMessage& message,
                Clock::time_point readAt);
    // The client has received the first `received` room messages since its room-joined.
    void acknowledge(const std::string& connectionId, std::uint64_t received);
    // Sends one message to one connection (errors, pongs) and counts it.
    void reply(const std::string& connectionId, wire::MessageType type,
               wire::SharedMessage message);
    // Ends the held places whose grace period is over: peer-left to their rooms. Called
    // periodically by the application.
    void sweep(Clock::time_point now = Clock::now());
    // From another instance, through the bus: to one local peer, or to the room's local peers.
    void deliverFromCluster(const std::string& roomId, const std::string& targetId,
                            wire::MessageType type, const wire::SharedMessage& message) override;
    // From the media server, on a media thread: what `subscriberId` can receive now (sfu-tracks).
    void mediaTracksAvailable(const std::string& roomId, const std::string& subscriberId,
                              std::vector<MediaTrack> tracks);
    // From the media server, on a media thread: it closed the peer's transport on its own
    // (sfu-closed).
    void mediaTransportClosed(const std::string& roomId, const std::string& peerId,
                              std::string_view reason);
    // Rooms on the media server across instances (HubMediaOwner.cpp), from the bus's threads.
    void remoteMembershipChanged(const std::string& roomId, const std::string& peerId,
                                 bool joined) override;
    void mediaFromCluster(cluster::MediaSignal signal) override;
    void mediaOwnerChanged(const std::string& roomId, const std::string& owner) override;
    void instanceGone(const std::string& instance) override;
    // From the media server, on a media thread: which of the peer's simulcast encodings of
    // `source` someone watches (sfu-encodings).
    void mediaEncodings(const std::string& roomId, const std::string& peerId,
                        std::string_view source, std::vector<std::string> active);
    // From the media server, on a media thread: the room's active speaker changed
    // (active-speaker, to every member while the room is in sfu mode).
    void mediaActiveSpeaker(const std::string& roomId, const std::string& peerId, double level);
    // From the media server, on a media thread: the videos forwarded to `viewerId` now
    // (sfu-forwarding).
    void mediaVideoForwarding(const std::string& roomId, const std::string& viewerId,
                              std::vector<MediaTrack> videos);

    // Closes every connection, and every one attached from now on, with `code`.
    void closeAll(wire::CloseCode code, std::string_view reason);
    // Forgets every connection without announcing anything: for the end of the process.
    void releaseAll();

    std::size_t connectionCount() const;
    std::size_t roomCount() const;
    std::size_t heldCount() const;
    std::vector<std::string> roomMembers(const std::string& roomId) const;

  private:
    static constexpr std::size_t kDepartedKept = 256;

    // The connection the transport knows as `connectionId`, wherever it is keyed now.
    Connection* find(const std::string& connectionId, std::string* peerId = nullptr);
    void join(const std::string& peerId, Connection& connection, const ClientMessage& message);
    // The join's resume token, when it is correctly signed, unexpired, for the joined room, for
    // another peer id, and the connection's own room token has not expired. Whether it is still
    // the current token of its place is decided after (acceptHere, or the bus when clustered).
    std::optional<ResumeClaim> resumeClaim(const std::string& peerId, const Connection& connection,
                                           const ClientMessage& message);
    // Without the bus: whether `claim` is the current token of its place as this process knows
    // it. A token from another process (before a restart) for a peer this one has no record of
    // is taken once: the peer is remembered until that token expires.
    bool acceptHere(const ResumeClaim& claim);
    // Clustered: the bus answered whether the claimed token was current.
    void resumeAnswered(const std::string& connectionId, const ClientMessage& message,
                        const ResumeClaim& claim, const IssuedResumeToken& next,
                        cluster::ResumeSwap answer);
    // The join once the resume token is judged: `claim` set when it resumes a place, `next` set
    // when the token room-joined carries was already issued (and its nonce stored by the bus).
    void proceedJoin(const std::string& peerId, Connection& connection,
                     const ClientMessage& message, const std::optional<ResumeClaim>& claim,
                     const std::optional<IssuedResumeToken>& next);
    // A join carrying a valid resume token: re-keys the connection to the claimed peer id.
    // Returns the connection under its (possibly new) key.
    Connection& resume(const std::string& peerId, Connection& connection, const ResumeClaim& claim,
                       std::optional<std::uint64_t> received, bool& rebuilt,
                       std::optional<HeldPeers::Place>& place);
    // Clustered join, second half: the bus has answered for the whole cluster.
    // `rebuilt` and `place` carry a resume through to the announcement and the buffered
    // messages (see resume()).
    void completeJoin(const std::string& peerId, const std::string& roomId, const std::string& name,
                      bool sfuCapable, cluster::JoinOutcome outcome, bool rebuilt,
                      const std::optional<HeldPeers::Place>& place,
                      const std::optional<IssuedResumeToken>& next);
    void enter(const std::string& peerId, Connection& connection, const std::string& roomId,
               const std::string& name, bool sfuCapable,
               const std::vector<cluster::RemotePeer>& remotePeers, bool rebuilt,
               const std::optional<HeldPeers::Place>& place,
               const std::optional<IssuedResumeToken>& next);
    // A new resume token for `peerId` in `roomId`, capped by the connection's room token.
    IssuedResumeToken issueResumeToken(const std::string& roomId, const std::string& peerId,
                                       const Connection& connection) const;
    // The place is released (leave, hang-up, end of the hold): its token stops working, here
    // and, when clustered, on every instance. Clears `nonce`.
    void revokeResume(const std::string& peerId, std::string& nonce);
    std::chrono::system_clock::time_point wallNow() const;
    void leaveRoom(const std::string& peerId, Connection& connection);
    void removeMember(const std::string& roomId, const std::string& peerId);
    void relay(const std::string& peerId, Connection& connection, const ClientMessage& message,
               Clock::time_point readAt);
    void mediaState(const std::string& peerId, Connection& connection,
                    const ClientMessage& message);
    void sendError(Connection& connection, wire::ErrorCode code, std::string text);

    // The lobby's preview of a room (HubPreview.cpp).
    void preview(Connection& connection, const ClientMessage& message);

    // Rooms on the media server (HubMedia.cpp).
    void chat(const std::string& peerId, Connection& connection, const ClientMessage& message);
    void sfuOffer(const std::string& peerId, Connection& connection, const ClientMessage& message);
    void sfuLeave(const std::string& peerId, Connection& connection);
    // The pre-call check's probe of the media server, outside any room (HubProbe.cpp).
    void sfuProbe(const std::string& peerId, Connection& connection, const ClientMessage& message);
    void probeAnswered(const std::string& peerId, MediaAnswer answer);
    void endProbes(const std::string& peerId);
    // A pair of mesh members cannot connect directly (HubMedia.cpp).
    void meshUnreachable(const std::string& peerId, Connection& connection,
                         const ClientMessage& message);
    void sfuView(const std::string& peerId, Connection& connection, const ClientMessage& message);
    // The media server answered offer number `offer` of `peerId`.
    void mediaAnswered(const std::string& roomId, const std::string& peerId, std::uint64_t offer,
                       MediaAnswer answer);
    // Rooms on the media server across instances (HubMediaOwner.cpp). Whether this instance
    // shares its rooms' media with other instances (a clustered bus that can, and a media server).
    bool sharesMedia() const;
    // Asks the bus for the room's media owner (claiming it if nobody has it, or taking it over
    // from `deadOwner`); the answer comes to mediaOwnerClaimed.
    void claimMediaOwner(const std::string& roomId, Room& room, const std::string& deadOwner = {});
    void mediaOwnerClaimed(const std::string& roomId, const std::string& owner);
    // The room's media owner is `owner` now: offers waiting go to it; if it changed, the members
    // whose media went to the previous one get sfu-closed (their clients connect afresh).
    void setMediaOwner(const std::string& roomId, Room& room, const std::string& owner);
    // A member's offer to the room's media owner, here or over the bus.
    void dispatchOffer(const std::string& roomId, const std::string& peerId, Member& member);
    // The media server answered the offer of a client on another instance.
    void remoteMediaAnswered(const std::string& roomId, const std::string& peerId,
                             std::uint64_t offer, MediaAnswer answer);
    // This instance stops serving the room's media: the transports of its clients on other
    // instances are closed (their instances tell them, see setMediaOwner).
    void dropServedMedia(const std::string& roomId);
    // The room is gone here or went back to the mesh: ownership released if it was ours.
    void giveUpMediaOwner(const std::string& roomId, Room& room);
    // Tells a member its media-server transport is gone (sfu-closed).
    void closeMemberMedia(const std::string& peerId, Member& member, std::string_view reason);

    // Decides the room's mode again after a change (a member came or went, time passed); on a
    // change every member but `exceptPeerId` gets room-mode.
    void updateMode(const std::string& roomId, Room& room, Clock::time_point now,
                    const std::string& exceptPeerId = {});

    HubOptions options_;
    SignalingMetrics& metrics_;
    obs::Logger& logger_;
    mutable std::mutex mutex_;
    Connections connections_;  // by current peer id
    // connection id -> peer id, for connections re-keyed by a resume.
    std::unordered_map<std::string, std::string> aliases_;
    HeldPeers held_;
    // Peers that came back with a token issued by another process (before a restart) and no
    // record here: peer id -> that token's expiry (Unix seconds). Any other such token for them
    // is refused until then (it was issued before the one taken). Pruned by sweep().
    std::unordered_map<std::string, std::int64_t> adopted_;
    std::unordered_map<std::string, Room> rooms_;
    RoomModeRule modeRule_;
    // Rooms whose hold-off back to mesh is running: sweep() decides them again.
    std::unordered_set<std::string> returningToMesh_;
    MediaProbes probes_;
    std::uint64_t offersMade_ = 0;  // numbers sfu-offers (Member::latestOffer)
    // Clustered: clients of other instances with a transport on this instance's media server,
    // by room (this instance owns those rooms' media).
    std::unordered_map<std::string, std::unordered_set<std::string>> remoteMedia_;
    // Where room traffic goes (declared after what it refers to).
    RoomRouter router_;
    struct Closing {
        wire::CloseCode code;
        std::string reason;
    };
    std::optional<Closing> closingWith_;  // set once closeAll ran
};

}  // namespace pulsemeet::signaling
