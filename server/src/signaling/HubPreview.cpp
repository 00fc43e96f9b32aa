// The lobby's look into a room before joining it (docs/protocol.md, "Room preview"): the names of
// the people there, under the same rules as a join, and without creating anything.
#include "signaling/Hub.hpp"
#include "wire/ServerMessages.hpp"

namespace pulsemeet::signaling {

void Hub::preview(Connection& connection, const ClientMessage& message) {
    const Admission& admission = connection.admission;
    // Whoever may not join a room may not look into it either: a room token for room A says
    // nothing about who is in room B, not even whether B exists.
    if (admission.room != "*" && admission.room != message.roomId) {
        sendError(connection, wire::ErrorCode::forbiddenRoom,
                  "this connection may not join room " + message.roomId);
        return;
    }
    // A preview tells whether a room is occupied, which is what a room-id guesser wants to
    // know: it counts against the address's different rooms a minute exactly as a join does.
    if (connection.roomId != message.roomId && options_.admitRoomJoin &&
        !options_.admitRoomJoin(admission.clientAddress, message.roomId)) {
        sendError(connection, wire::ErrorCode::rateLimited,
                  "too many different rooms looked into: slow down");
        connection.link->close(wire::CloseCode::policyViolation, "rate-limited");
        return;
    }
    std::vector<std::string> names;
    // find, never try_emplace: looking must not create the room.
    if (const auto room = rooms_.find(message.roomId); room != rooms_.end()) {
        names.reserve(room->second.members.size());
        for (const auto& [peerId, member] : room->second.members) names.push_back(member.name);
    }
    router_.send(connection, wire::MessageType::roomPreview,
                 wire::share(wire::encodeRoomPreview(message.roomId, names)));
}

}  // namespace pulsemeet::signaling
