// The lobby's room preview (docs/protocol.md, "Room preview") against the real binary: the names
// in a room without joining it, behind the checks a join has, and without creating anything.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "ServerProcess.hpp"
#include "WsClient.hpp"
#include "auth/RoomTokenMinter.hpp"

using namespace pulsemeet;
using namespace pulsemeet::testing;
using namespace std::chrono_literals;

namespace {

const std::string kSecret = "preview-jwt-secret";

WsClient::Options withToken(const std::string& room, const std::string& name = "") {
    WsClient::Options options;
    options.target = "/ws?token=" + auth::mintRoomToken(kSecret, {room, name, 3600s},
                                                        std::chrono::system_clock::now());
    return options;
}

boost::json::object preview(WsClient& client, const std::string& roomId) {
    client.send(boost::json::object{{"type", "preview"}, {"roomId", roomId}});
    return client.next();
}

std::vector<std::string> names(const boost::json::object& answer) {
    std::vector<std::string> out;
    for (const auto& name : answer.at("data").at("names").as_array()) {
        out.emplace_back(name.as_string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

double roomsGauge(std::uint16_t port) {
    const std::string body = httpGet(port, "/metrics").body;
    const std::string key = "\npulsemeet_rooms ";
    const auto at = body.find(key);
    return at == std::string::npos ? -1 : std::stod(body.substr(at + key.size()));
}

}  // namespace

TEST(RoomPreview, ListsTheNamesInTheRoomWithoutJoiningIt) {
    ServerProcess server;
    WsClient ada(server.port());
    ada.join("preview-room", "Ada");
    WsClient bob(server.port());
    bob.join("preview-room", "Bob");
    ada.nextOfType("peer-joined");

    WsClient looker(server.port());
    const auto answer = preview(looker, "preview-room");
    EXPECT_EQ(answer.at("type").as_string(), "room-preview");
    EXPECT_EQ(answer.at("roomId").as_string(), "preview-room");
    EXPECT_EQ(names(answer), (std::vector<std::string>{"Ada", "Bob"}));
    EXPECT_FALSE(answer.contains("peerId")) << "a preview names people, it gives out no ids";

    // Nobody in the room heard of the looker: the next thing Ada hears is Cleo joining.
    WsClient cleo(server.port());
    cleo.join("preview-room", "Cleo");
    const auto next = ada.next();
    EXPECT_EQ(next.at("type").as_string(), "peer-joined");
    EXPECT_EQ(next.at("data").at("name").as_string(), "Cleo");
}

// Attack: a preview of a room nobody is in must not create it (it would then exist, count
// towards the rooms gauge, and could be found by a later preview).
TEST(RoomPreview, AnEmptyRoomAnswersNoNamesAndIsNotCreated) {
    ServerProcess server;
    WsClient looker(server.port());
    EXPECT_TRUE(names(preview(looker, "nobody-here")).empty());
    EXPECT_TRUE(names(preview(looker, "nobody-here")).empty());
    EXPECT_EQ(roomsGauge(server.port()), 0);
    // The looker is in no room: a leave is refused.
    looker.send(boost::json::object{{"type", "leave"}});
    EXPECT_EQ(looker.nextOfType("error").at("code").as_string(), "not-in-room");
}

// Attack: a room token for room A must not tell who is in room B, nor whether B is occupied.
TEST(RoomPreview, ATokenForAnotherRoomLearnsNothing) {
    ServerProcess server(Env{{"JWT_SECRET", kSecret}});
    WsClient insider(server.port(), withToken("secret-room", "Insider"));
    insider.join("secret-room");

    WsClient outsider(server.port(), withToken("room-a", "Mallory"));
    const auto occupied = preview(outsider, "secret-room");
    const auto empty = preview(outsider, "empty-room");
    EXPECT_EQ(occupied.at("type").as_string(), "error");
    EXPECT_EQ(occupied.at("code").as_string(), "forbidden-room");
    EXPECT_FALSE(occupied.contains("data"));
    EXPECT_EQ(std::string(boost::json::serialize(occupied)).find("Insider"), std::string::npos);
    // The same answer for an occupied and an empty room: nothing to tell them apart by.
    EXPECT_EQ(occupied.at("error"),
              boost::json::value("this connection may not join room secret-room"));
    EXPECT_EQ(empty.at("code").as_string(), "forbidden-room");
    // Its own room it may look into.
    EXPECT_EQ(preview(outsider, "room-a").at("type").as_string(), "room-preview");
    // And without a token the upgrade itself is refused, as for a join.
    EXPECT_EQ(WsClient::refusedStatus(server.port(), WsClient::Options{}), 401);
}

// Attack: previews walk through room ids as joins would: they share the address's allowance of
// different rooms a minute, and the 21st is refused and the socket closed.
TEST(RoomPreview, PreviewsCountAgainstTheRoomsPerMinuteLimit) {
    ServerProcess server;  // MAX_ROOMS_PER_IP_PER_MINUTE=20
    WsClient walker(server.port());
    for (int i = 0; i < 20; ++i) {
        ASSERT_EQ(preview(walker, "walk-" + std::to_string(i)).at("type").as_string(),
                  "room-preview");
    }
    const auto refused = preview(walker, "walk-20");
    EXPECT_EQ(refused.at("code").as_string(), "rate-limited");
    EXPECT_EQ(walker.waitClosed(), 1008);
}
