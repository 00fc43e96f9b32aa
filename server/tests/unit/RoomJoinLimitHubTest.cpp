// The hub's side of MAX_ROOMS_PER_IP_PER_MINUTE: which joins it asks about, and what a refused
// one gets (rate-limited, then close 1008, as for a message flood).
#include <gtest/gtest.h>

#include <set>

#include "HubHarness.hpp"
#include "signaling/ResumeTokens.hpp"

using namespace pulsemeet;
using namespace pulsemeet::signaling;
using namespace pulsemeet::wire;
using namespace pulsemeet::signaling::testing;

namespace {

class RoomJoinLimitHubTest : public HubHarness {
  protected:
    RoomJoinLimitHubTest() {
        HubOptions options;
        options.resumeTokens = &tokens;
        options.hold.grace = std::chrono::seconds(20);
        options.admitRoomJoin = [this](std::string_view address, std::string_view roomId) {
            asked.push_back(std::string(address) + " " + std::string(roomId));
            return allowed.contains(std::string(roomId));
        };
        makeHub(std::move(options));
    }
    ~RoomJoinLimitHubTest() override { hub.reset(); }  // it points at the tokens

    static Admission from(const std::string& address) {
        Admission admission;
        admission.clientAddress = address;
        return admission;
    }

    // A join from a client that counts (data.received), so that its dropped place is held; it is
    // alone in its room and has counted nothing.
    void join(const std::string& id, const std::string& room, const std::string& token = "") {
        send(id, R"({"type":"join","roomId":")" + room + R"(","data":{"resumeToken":")" + token +
                     R"(","received":0}})");
    }

    ResumeTokens tokens{"secret", std::chrono::hours(1)};
    std::set<std::string> allowed;
    std::vector<std::string> asked;
};

}  // namespace

TEST_F(RoomJoinLimitHubTest, ANewRoomOverTheLimitIsRateLimitedAndClosed) {
    allowed = {"room-1"};
    auto a = connect("a", from("203.0.113.7"));
    join("a", "room-1");
    EXPECT_EQ(a->takeType(), "room-joined");
    EXPECT_EQ(asked, std::vector<std::string>{"203.0.113.7 room-1"}) << "asked with the address";

    join("a", "room-2");
    const auto refused = a->take();
    EXPECT_EQ(refused.at("type").as_string(), "error");
    EXPECT_EQ(refused.at("code").as_string(), "rate-limited");
    EXPECT_EQ(a->closedWith, CloseCode::policyViolation);
    EXPECT_EQ(hub->roomMembers("room-1"), std::vector<std::string>{"a"}) << "stays where it was";
    EXPECT_TRUE(hub->roomMembers("room-2").empty());
}

TEST_F(RoomJoinLimitHubTest, RejoiningTheSameRoomAndResumingAreNotCounted) {
    allowed = {"room"};
    auto a = connect("a", from("203.0.113.7"));
    join("a", "room");
    EXPECT_EQ(a->takeType(), "room-joined");
    join("a", "room");  // the room it is in: answered again, nothing asked
    const std::string token(a->take().at("data").at("resumeToken").as_string());
    EXPECT_EQ(asked.size(), 1u);

    // a's socket drops; it comes back on a new socket with its token while no new room would be
    // allowed at all: a resume is not a new room.
    allowed.clear();
    hub->detach("a");
    auto again = connect("a2", from("203.0.113.7"));
    join("a2", "room", token);
    const auto joined = again->take();
    EXPECT_EQ(joined.at("type").as_string(), "room-joined");
    EXPECT_EQ(joined.at("peerId").as_string(), "a");
    EXPECT_FALSE(again->closedWith.has_value());
    EXPECT_EQ(asked.size(), 1u);

    // A forged token is an ordinary join, and counts.
    auto b = connect("b", from("203.0.113.7"));
    join("b", "room", "forged");
    EXPECT_EQ(b->take().at("code").as_string(), "rate-limited");
    EXPECT_EQ(asked.size(), 2u);
}
