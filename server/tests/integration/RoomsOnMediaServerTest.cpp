// The real binary over real sockets: the messages of rooms on the media server. The binary has
// no media server wired in yet, so every room stays mesh whatever SFU_MODE says; the mode
// switch itself is covered at unit level (HubMediaTest).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <memory>
#include <vector>

#include "ServerProcess.hpp"
#include "WsClient.hpp"

using namespace pulsemeet::testing;
namespace json = boost::json;

namespace {

std::string str(const json::value& value) {
    return std::string(value.as_string());
}

// Joins as our browser client does: it can use the media server, and counts.
json::object joinCapable(WsClient& client, const std::string& roomId) {
    client.send(json::object{{"type", "join"},
                             {"roomId", roomId},
                             {"data", {{"name", "x"}, {"sfu", true}, {"received", 0}}}});
    return client.nextOfType("room-joined");
}

// Every message up to the pong answering a ping sent now, by type.
std::vector<std::string> typesUntilPong(WsClient& client) {
    client.send(R"({"type":"ping"})");
    std::vector<std::string> types;
    for (;;) {
        auto message = client.next();
        if (str(message["type"]) == "pong") return types;
        types.push_back(str(message["type"]));
    }
}

}  // namespace

TEST(RoomsOnMediaServer, ChatOverTheWebSocketReachesTheOthersWithTheSender) {
    ServerProcess server;
    WsClient alice(server.port()), bob(server.port()), carol(server.port());
    const std::string aliceId = str(joinCapable(alice, "chat-room")["peerId"]);
    joinCapable(bob, "chat-room");
    joinCapable(carol, "chat-room");

    alice.send(json::object{{"type", "chat"}, {"text", "  hello \xC3\xA9  "}});
    for (WsClient* other : {&bob, &carol}) {
        auto chat = other->nextOfType("chat");
        EXPECT_EQ(str(chat["from"]), aliceId);
        EXPECT_EQ(str(chat["text"]), "hello \xC3\xA9") << "trimmed";
        EXPECT_TRUE(chat["timestamp"].is_int64());
    }
    for (const auto& type : typesUntilPong(alice)) EXPECT_NE(type, "chat") << "not echoed";

    alice.send(json::object{{"type", "chat"}, {"text", "two\nlines"}});
    auto refused = alice.nextOfType("error");
    EXPECT_EQ(str(refused["code"]), "bad-message");
    alice.send(json::object{{"type", "chat"}, {"text", std::string(2001, 'a')}});
    EXPECT_EQ(str(alice.nextOfType("error")["code"]), "bad-message");
}

TEST(RoomsOnMediaServer, WithSfuModeNeverFiveCapableJoinersStayMeshAndOffersAreRefused) {
    ServerProcess server(Env{{"SFU_MODE", "never"}, {"MESH_MAX_PEERS", "4"}});
    std::vector<std::unique_ptr<WsClient>> clients;
    for (int i = 0; i < 5; ++i) {
        clients.push_back(std::make_unique<WsClient>(server.port()));
        auto joined = joinCapable(*clients.back(), "big-room");
        EXPECT_EQ(str(joined["data"].as_object()["mode"]), "mesh");
    }
    for (auto& client : clients) {
        for (const auto& type : typesUntilPong(*client)) EXPECT_NE(type, "room-mode");
    }
    clients[0]->send(json::object{{"type", "sfu-offer"}, {"sdp", "v=0\r\n"}});
    EXPECT_EQ(str(clients[0]->nextOfType("error")["code"]), "media-unavailable");
    clients[0]->send(json::object{{"type", "sfu-offer"}, {"sdp", "not sdp"}});
    EXPECT_EQ(str(clients[0]->nextOfType("error")["code"]), "invalid-sdp");
}

// The real media server runs by default (SFU_MODE=auto): the fifth capable joiner moves the room
// onto it, the first four hear room-mode, and an offer it cannot answer is refused with the
// media server's reason.
TEST(RoomsOnMediaServer, TheFifthCapableJoinerMovesTheRoomOntoTheMediaServer) {
    ServerProcess server(Env{{"MESH_MAX_PEERS", "4"}});
    std::vector<std::unique_ptr<WsClient>> clients;
    for (int i = 0; i < 4; ++i) {
        clients.push_back(std::make_unique<WsClient>(server.port()));
        auto joined = joinCapable(*clients.back(), "growing-room");
        EXPECT_EQ(str(joined["data"].as_object()["mode"]), "mesh");
    }
    clients.push_back(std::make_unique<WsClient>(server.port()));
    auto joined = joinCapable(*clients.back(), "growing-room");
    EXPECT_EQ(str(joined["data"].as_object()["mode"]), "sfu");
    for (int i = 0; i < 4; ++i) {
        auto mode = clients[static_cast<std::size_t>(i)]->nextOfType("room-mode");
        EXPECT_EQ(str(mode["mode"]), "sfu") << i;
    }
    clients[4]->send(json::object{{"type", "sfu-offer"}, {"sdp", "v=0\r\n"}});
    auto error = clients[4]->nextOfType("error");
    EXPECT_EQ(str(error["code"]), "invalid-sdp");
    EXPECT_NE(str(error["error"]).find("sdp-"), std::string::npos) << str(error["error"]);
}

TEST(RoomsOnMediaServer, BadModeSettingsStopStartUp) {
    for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
             {"SFU_MODE", "sometimes"}, {"MESH_MAX_PEERS", "1"}, {"MEDIA_WORKERS", "17"}}) {
        const auto result = runToCompletion({{name, value}}, {});
        EXPECT_EQ(result.exitCode, 2) << name;
        EXPECT_NE(result.output.find(name + "=" + value), std::string::npos) << result.output;
    }
}
