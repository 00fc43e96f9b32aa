// Rooms on the media server, at the hub (docs/protocol.md, "Rooms on the media server"): the
// room's mode, the sfu-* messages and chat over the WebSocket. The media server is a recording
// stand-in for signaling::MediaServerPort whose answers the tests give, on another thread as
// the real one does.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <thread>

#include "HubHarness.hpp"
#include "signaling/MediaServerPort.hpp"

using namespace pulsemeet;
using namespace pulsemeet::signaling;
using namespace pulsemeet::signaling::testing;
using namespace std::chrono_literals;

namespace {

class RecordingMediaServer : public MediaServerPort {
  public:
    struct Offer {
        std::string roomId;
        std::string peerId;
        std::string sdp;
        std::function<void(MediaAnswer)> done;
    };
    void offer(const std::string& roomId, const std::string& peerId, std::string sdp,
               std::function<void(MediaAnswer)> done) override {
        offers.push_back({roomId, peerId, std::move(sdp), std::move(done)});
    }
    void removePeer(const std::string& roomId, const std::string& peerId) override {
        removed.push_back(roomId + "/" + peerId);
    }
    // Answers offer `index` from another thread, as the media server's callback runs.
    void answer(std::size_t index, MediaAnswer answer) {
        std::thread([&] { offers.at(index).done(std::move(answer)); }).join();
    }

    // The pins of each sfu-view that reached the media server ("room/viewer: pinned...").
    void setViews(const std::string& roomId, const std::string& viewerId,
                  std::vector<MediaView> views) override {
        std::string line = roomId + "/" + viewerId + ":";
        for (const auto& view : views)
            if (view.pinned) line += " " + view.peerId;
        pins.push_back(line);
        lastViews = std::move(views);
    }

    std::vector<Offer> offers;
    std::vector<std::string> removed;
    std::vector<std::string> pins;
    std::vector<MediaView> lastViews;
};

MediaAnswer answerWith(std::vector<MediaTrack> tracks) {
    return {true, "v=0\r\na=ice-lite\r\n", std::move(tracks), {}};
}

class HubMediaTest : public HubHarness {
  protected:
    ~HubMediaTest() override { hub.reset(); }

    void start(SfuPolicy policy, bool withMediaServer = true, std::chrono::milliseconds grace = 0ms,
               bool turnConfigured = false) {
        HubOptions options;
        options.turnConfigured = turnConfigured;
        options.maxPeersPerRoom = 50;
        options.roomModes = {policy, 4, 10s};
        options.media = withMediaServer ? &media : nullptr;
        options.hold.grace = grace;
        makeHub(std::move(options));
    }
    // Joins as our browser client does (data.sfu), or as an outside client that cannot.
    std::shared_ptr<RecordingLink> joinAs(const std::string& id, bool capable = true) {
        auto link = connect(id);
        send(id, std::string(R"({"type":"join","roomId":"room","data":{"received":0,"sfu":)") +
                     (capable ? "true" : "false") + "}}");
        return link;
    }
    static std::string modeIn(const boost::json::object& roomJoined) {
        return std::string(roomJoined.at("data").as_object().at("mode").as_string());
    }
    // Joins `count` capable members p0, p1, ...
    std::vector<std::shared_ptr<RecordingLink>> fill(int count) {
        std::vector<std::shared_ptr<RecordingLink>> links;
        for (int i = 0; i < count; ++i) links.push_back(joinAs("p" + std::to_string(i)));
        return links;
    }
    static void clear(const std::vector<std::shared_ptr<RecordingLink>>& links) {
        for (const auto& link : links) link->inbox.clear();
    }

    RecordingMediaServer media;
};

}  // namespace

TEST_F(HubMediaTest, AutoGoesToTheMediaServerAboveMeshMaxPeersBeforeAnnouncingTheNewcomer) {
    start(SfuPolicy::automatic);
    auto links = fill(4);
    for (const auto& link : links) {
        EXPECT_EQ(modeIn(link->take()), "mesh");
        for (const auto& type : link->types()) EXPECT_NE(type, "room-mode");
    }
    clear(links);
    auto fifth = joinAs("p4");
    EXPECT_EQ(modeIn(fifth->take()), "sfu");
    EXPECT_EQ(links[0]->counted(), 2u) << "room-mode is counted room traffic";
    for (const auto& link : links) {
        // room-mode first: no one starts a mesh offer to the newcomer.
        EXPECT_EQ(link->types(), (std::vector<std::string>{"room-mode", "peer-joined"}));
        EXPECT_EQ(link->take()["mode"].as_string(), "sfu");
    }
}

TEST_F(HubMediaTest, AMemberThatCannotUseTheMediaServerKeepsTheRoomOnTheMesh) {
    start(SfuPolicy::automatic);
    auto links = fill(4);
    auto outsider = joinAs("outsider", false);
    auto sixth = joinAs("p5");
    EXPECT_EQ(modeIn(sixth->take()), "mesh");
    for (const auto& type : links[0]->types()) EXPECT_NE(type, "room-mode");
    clear(links);
    send("outsider", R"({"type":"leave"})");
    EXPECT_EQ(links[0]->types(), (std::vector<std::string>{"peer-left", "room-mode"}))
        << "five capable members left: the media server";
    // An outside client joining an sfu room brings it back to the mesh at once.
    clear(links);
    auto late = joinAs("late", false);
    EXPECT_EQ(modeIn(late->take()), "mesh");
    EXPECT_EQ(links[0]->take()["mode"].as_string(), "mesh");
}

TEST_F(HubMediaTest, AlwaysAndNeverAndNoMediaServer) {
    start(SfuPolicy::always);
    auto first = joinAs("p0");
    EXPECT_EQ(modeIn(first->take()), "sfu");
    hub.reset();

    start(SfuPolicy::never);
    auto links = fill(6);
    EXPECT_EQ(modeIn(links[5]->take()), "mesh");
    for (const auto& type : links[0]->types()) EXPECT_NE(type, "room-mode");
    hub.reset();

    start(SfuPolicy::always, false);
    auto alone = joinAs("p0");
    EXPECT_EQ(modeIn(alone->take()), "mesh") << "no media server: mesh whatever SFU_MODE says";
}

TEST_F(HubMediaTest, BackToTheMeshAfterTheHoldOffWhichRegrowingCancels) {
    start(SfuPolicy::automatic);
    auto links = fill(5);
    for (int i = 2; i < 5; ++i) send("p" + std::to_string(i), R"({"type":"leave"})");
    clear(links);
    const auto small = Hub::Clock::now();
    hub->sweep(small + 9s);
    EXPECT_TRUE(links[0]->inbox.empty()) << "two members, but not yet for 10 s";
    hub->sweep(small + 11s);
    EXPECT_EQ(links[0]->take()["mode"].as_string(), "mesh");
    EXPECT_EQ(links[1]->take()["mode"].as_string(), "mesh");

    // Again, but a third member comes back within the hold-off: the room stays on the server.
    for (int i = 2; i < 5; ++i) joinAs("q" + std::to_string(i));
    EXPECT_EQ(links[0]->types().back(), "peer-joined");
    for (int i = 2; i < 5; ++i) send("q" + std::to_string(i), R"({"type":"leave"})");
    auto third = joinAs("r");
    EXPECT_EQ(modeIn(third->take()), "sfu");
    clear(links);
    hub->sweep(Hub::Clock::now() + 60s);
    EXPECT_TRUE(links[0]->inbox.empty()) << "three members: the hold-off was cancelled";
}

TEST_F(HubMediaTest, AnOfferIsRefusedOnTheMesh) {
    start(SfuPolicy::automatic);
    auto a = connect("a");
    send("a", R"({"type":"sfu-offer","sdp":"v=0\r\n"})");
    EXPECT_EQ(a->take()["code"].as_string(), "not-in-room");
    send("a", R"({"type":"join","roomId":"room","data":{"sfu":true}})");
    a->inbox.clear();
    send("a", R"({"type":"sfu-offer","sdp":"v=0\r\n"})");
    EXPECT_EQ(a->take()["code"].as_string(), "media-unavailable");
    EXPECT_TRUE(media.offers.empty());
    EXPECT_EQ(metrics.errors(wire::ErrorCode::mediaUnavailable).value(), 1u);
}

TEST_F(HubMediaTest, TheAnswerGoesToTheOffererOnlyForItsLatestOfferAndNotAfterItLeft) {
    start(SfuPolicy::always);
    auto a = joinAs("a");
    auto b = joinAs("b");
    a->inbox.clear();
    b->inbox.clear();
    send("a", R"({"type":"sfu-offer","sdp":"v=0\r\nfrom a\r\n"})");
    send("b", R"({"type":"sfu-offer","sdp":"v=0\r\nfrom b, first\r\n"})");
    send("b", R"({"type":"sfu-offer","sdp":"v=0\r\nfrom b, second\r\n"})");
    ASSERT_EQ(media.offers.size(), 3u);
    EXPECT_EQ(media.offers[0].roomId, "room");
    EXPECT_EQ(media.offers[0].peerId, "a");
    EXPECT_EQ(media.offers[2].sdp, "v=0\r\nfrom b, second\r\n");

    media.answer(1, answerWith({}));
    EXPECT_TRUE(b->inbox.empty()) << "b has offered again since: that answer is stale";
    media.answer(2, answerWith({{"a", "camera", "3"}}));
    auto answer = b->take();
    EXPECT_EQ(answer["type"].as_string(), "sfu-answer");
    EXPECT_EQ(answer["sdp"].as_string(), "v=0\r\na=ice-lite\r\n");
    const auto& track = answer["tracks"].as_array().at(0).as_object();
    EXPECT_EQ(track.at("mid").as_string(), "3");
    EXPECT_EQ(track.at("peerId").as_string(), "a");
    EXPECT_EQ(track.at("source").as_string(), "camera");
    EXPECT_TRUE(a->inbox.empty());

    send("a", R"({"type":"leave"})");
    media.answer(0, answerWith({}));
    EXPECT_TRUE(a->inbox.empty()) << "a left before its answer came";

    b->inbox.clear();  // peer-left
    send("b", R"({"type":"sfu-offer","sdp":"v=0\r\n"})");
    media.answer(3, {false, {}, {}, "sdp-no-fingerprint"});
    auto refused = b->take();
    EXPECT_EQ(refused["code"].as_string(), "invalid-sdp");
    EXPECT_NE(std::string(refused["error"].as_string()).find("sdp-no-fingerprint"),
              std::string::npos);
}

TEST_F(HubMediaTest, ChatReachesEveryOtherMemberWithItsSender) {
    start(SfuPolicy::automatic);
    auto a = joinAs("a");
    auto b = joinAs("b");
    auto c = joinAs("c");
    auto outsider = connect("x");
    send("x", R"({"type":"join","roomId":"other"})");
    for (auto* link : {a.get(), b.get(), c.get(), outsider.get()}) link->inbox.clear();
    send("a", R"({"type":"chat","text":" hello "})");
    EXPECT_EQ(b->counted(), 1u) << "chat is counted room traffic";
    for (auto* link : {b.get(), c.get()}) {
        auto chat = link->take();
        EXPECT_EQ(chat["type"].as_string(), "chat");
        EXPECT_EQ(chat["from"].as_string(), "a");
        EXPECT_EQ(chat["text"].as_string(), "hello");
    }
    EXPECT_TRUE(a->inbox.empty());
    EXPECT_TRUE(outsider->inbox.empty());
    auto stranger = connect("s");
    send("s", R"({"type":"chat","text":"hi"})");
    EXPECT_EQ(stranger->take()["code"].as_string(), "not-in-room");
}

TEST_F(HubMediaTest, TheMediaServerForgetsAPeerThatLeavesOrSaysSfuLeaveOrWhoseHoldEnds) {
    start(SfuPolicy::always, true, 5s);
    auto a = joinAs("a");
    auto b = joinAs("b");
    auto c = joinAs("c");
    send("b", R"({"type":"leave"})");
    EXPECT_TRUE(media.removed.empty()) << "b never offered: nothing to remove";
    for (const char* id : {"a", "c"}) send(id, R"({"type":"sfu-offer","sdp":"v=0\r\n"})");
    send("a", R"({"type":"leave"})");
    EXPECT_EQ(media.removed, std::vector<std::string>{"room/a"});
    send("c", R"({"type":"sfu-leave"})");
    send("c", R"({"type":"sfu-leave"})");
    EXPECT_EQ(media.removed, (std::vector<std::string>{"room/a", "room/c"})) << "once";

    send("c", R"({"type":"sfu-offer","sdp":"v=0\r\n"})");
    hub->detach("c");  // dropped: its place is held
    EXPECT_EQ(media.removed.size(), 2u);
    hub->sweep(Hub::Clock::now() + 6s);
    EXPECT_EQ(media.removed.back(), "room/c");
}

TEST_F(HubMediaTest, TracksAndClosedTransportsReachTheirPeer) {
    start(SfuPolicy::always);
    auto a = joinAs("a");
    auto b = joinAs("b");
    a->inbox.clear();
    b->inbox.clear();
    std::thread([&] {
        hub->mediaTracksAvailable("room", "b", {{"a", "microphone", ""}, {"a", "camera", ""}});
        hub->mediaTransportClosed("room", "a", "consentLost");
        hub->mediaTracksAvailable("room", "gone", {});
        hub->mediaTransportClosed("elsewhere", "a", "dtlsFailed");
    }).join();
    EXPECT_EQ(b->counted(), 1u) << "sfu-tracks is counted room traffic";
    auto tracks = b->take();
    EXPECT_EQ(tracks["type"].as_string(), "sfu-tracks");
    ASSERT_EQ(tracks["tracks"].as_array().size(), 2u);
    EXPECT_EQ(tracks["tracks"].as_array()[1].as_object().at("source").as_string(), "camera");
    auto closed = a->take();
    EXPECT_EQ(closed["type"].as_string(), "sfu-closed");
    EXPECT_EQ(closed["reason"].as_string(), "consentLost");
    EXPECT_TRUE(a->inbox.empty());
    EXPECT_TRUE(b->inbox.empty());
}

TEST_F(HubMediaTest, AnAnswerFromBeforeALeaveDoesNotAnswerTheOfferAfterARejoin) {
    start(SfuPolicy::always);
    auto a = joinAs("a");
    joinAs("b");
    send("a", R"({"type":"sfu-offer","sdp":"v=0\r\nbefore\r\n"})");
    send("a", R"({"type":"leave"})");
    send("a", R"({"type":"join","roomId":"room","data":{"sfu":true}})");
    send("a", R"({"type":"sfu-offer","sdp":"v=0\r\nafter\r\n"})");
    a->inbox.clear();
    media.answer(0, answerWith({}));
    EXPECT_TRUE(a->inbox.empty()) << "that answer is for the connection a had before leaving";
    media.answer(1, answerWith({}));
    EXPECT_EQ(a->take()["type"].as_string(), "sfu-answer");
}

TEST_F(HubMediaTest, SfuViewIsRefusedOnTheMesh) {
    start(SfuPolicy::automatic);
    auto a = joinAs("a");
    joinAs("b");
    a->inbox.clear();
    const std::string view =
        R"({"type":"sfu-view","views":[{"peerId":"b","source":"camera","width":320,"height":180,"pinned":true},{"peerId":"c","source":"screen","width":0,"height":0}]})";
    send("a", view);
    EXPECT_EQ(a->take()["code"].as_string(), "media-unavailable") << "the room is on the mesh";
    EXPECT_TRUE(media.pins.empty());
}

TEST_F(HubMediaTest, SfuViewPinsReachTheMediaServerWithinLimits) {
    start(SfuPolicy::always);
    auto a = joinAs("a");
    joinAs("b");
    const std::string view =
        R"({"type":"sfu-view","views":[{"peerId":"b","source":"camera","width":320,"height":180,"pinned":true},{"peerId":"c","source":"screen","width":0,"height":0}]})";
    a->inbox.clear();
    send("a", view);
    EXPECT_TRUE(a->inbox.empty());
    ASSERT_EQ(media.pins.size(), 1u);
    EXPECT_EQ(media.pins[0], "room/a: b");
    // The same message carries the sizes, for the simulcast layer choice.
    ASSERT_EQ(media.lastViews.size(), 2u);
    EXPECT_EQ(media.lastViews[0].width, 320u);
    EXPECT_EQ(media.lastViews[0].height, 180u);
    EXPECT_EQ(media.lastViews[1].source, "screen");
    EXPECT_EQ(media.lastViews[1].width, 0u);

    for (
        const char* bad :
        {R"({"type":"sfu-view"})", R"({"type":"sfu-view","views":{}})",
         R"({"type":"sfu-view","views":[{"peerId":"b","source":"microphone","width":1,"height":1}]})",
         R"({"type":"sfu-view","views":[{"peerId":"b","source":"camera","width":8193,"height":1}]})",
         R"({"type":"sfu-view","views":[{"peerId":"b","source":"camera","width":-1,"height":1}]})",
         R"({"type":"sfu-view","views":[{"peerId":"","source":"camera","width":1,"height":1}]})",
         R"({"type":"sfu-view","views":[{"peerId":"b","source":"camera","width":1,"height":1,"pinned":"yes"}]})"}) {
        // Refused when decoded, before the hub sees it.
        const auto decoded = decodeClientMessage(bad);
        ASSERT_TRUE(std::holds_alternative<wire::SignalError>(decoded)) << bad;
        EXPECT_EQ(std::get<wire::SignalError>(decoded).code, wire::ErrorCode::badMessage) << bad;
    }
    // More entries than 2 x MAX_PEERS_PER_ROOM (50 here).
    std::string many = R"({"type":"sfu-view","views":[)";
    for (int i = 0; i < 101; ++i)
        many +=
            std::string(i ? "," : "") + R"({"peerId":"b","source":"camera","width":1,"height":1})";
    send("a", many + "]}");
    EXPECT_EQ(a->take()["code"].as_string(), "bad-message");
    EXPECT_EQ(media.pins.size(), 1u);
}

TEST_F(HubMediaTest, TheActiveSpeakerReachesEveryMemberAndForwardingItsViewer) {
    start(SfuPolicy::always);
    auto a = joinAs("a");
    auto b = joinAs("b");
    a->inbox.clear();
    b->inbox.clear();
    std::thread([&] {
        hub->mediaActiveSpeaker("room", "b", 0.1234);
        hub->mediaActiveSpeaker("room", "gone", 0.5);
        hub->mediaVideoForwarding("room", "a", {{"b", "camera", ""}});
        hub->mediaVideoForwarding("room", "gone", {});
    }).join();
    for (const auto& link : {a, b}) {
        auto speaker = link->take();
        EXPECT_EQ(speaker["type"].as_string(), "active-speaker");
        EXPECT_EQ(speaker["peerId"].as_string(), "b") << "the speaker hears it too";
        EXPECT_DOUBLE_EQ(speaker["level"].to_number<double>(), 0.123);
    }
    auto forwarding = a->take();
    EXPECT_EQ(forwarding["type"].as_string(), "sfu-forwarding");
    ASSERT_EQ(forwarding["video"].as_array().size(), 1u);
    EXPECT_EQ(forwarding["video"].as_array()[0].as_object().at("peerId").as_string(), "b");
    EXPECT_TRUE(a->inbox.empty());
    EXPECT_TRUE(b->inbox.empty());
}

// issue 20: two members that cannot connect directly, with no TURN, move the room onto the media
// server (one report is enough, a repeat changes nothing), and it stays there below the
// hold-off's size until one of the pair leaves.
TEST_F(HubMediaTest, AnUnreachablePairWithoutTurnMovesTheRoomToTheMediaServerWhileBothAreIn) {
    start(SfuPolicy::automatic);
    auto a = joinAs("a");
    auto b = joinAs("b");
    a->inbox.clear();
    b->inbox.clear();
    send("a", R"({"type":"mesh-unreachable","targetId":"b"})");
    EXPECT_EQ(b->take()["mode"].as_string(), "sfu");
    EXPECT_EQ(a->take()["mode"].as_string(), "sfu");
    send("b", R"({"type":"mesh-unreachable","targetId":"a"})");
    EXPECT_TRUE(a->inbox.empty());
    hub->sweep(Hub::Clock::now() + 60s);  // two members, far past the hold-off: still sfu
    EXPECT_TRUE(a->inbox.empty());
    auto c = joinAs("c");
    EXPECT_EQ(modeIn(c->take()), "sfu");
    a->inbox.clear();
    send("b", R"({"type":"leave"})");
    hub->sweep(Hub::Clock::now() + 60s);  // the pair is gone: the usual return to the mesh
    bool backToMesh = false;
    for (auto& message : a->inbox) {
        const auto parsed = boost::json::parse(*message).as_object();
        if (parsed.at("type").as_string() == "room-mode")
            backToMesh = parsed.at("mode").as_string() == "mesh";
    }
    EXPECT_TRUE(backToMesh);
}

TEST_F(HubMediaTest, AnUnreachablePairIsIgnoredWithTurnAndRefusedForAStranger) {
    start(SfuPolicy::automatic, true, 0ms, /*turnConfigured=*/true);
    auto a = joinAs("a");
    auto b = joinAs("b");
    a->inbox.clear();
    b->inbox.clear();
    send("a", R"({"type":"mesh-unreachable","targetId":"b"})");
    EXPECT_TRUE(a->inbox.empty());
    EXPECT_TRUE(b->inbox.empty()) << "the relay is the way through: the room stays mesh";
    send("a", R"({"type":"mesh-unreachable","targetId":"nobody"})");
    EXPECT_EQ(a->take()["code"].as_string(), "peer-not-found");
}

// The pre-call check's probe: no room needed, a media room of its own, answered to the prober
// only, removed after its lifetime or when the client goes; limited per connection.
TEST_F(HubMediaTest, AProbeNeedsNoRoomIsAnsweredAndRemovedAndLimited) {
    start(SfuPolicy::automatic);
    auto prober = connect("prober");
    send("prober", R"({"type":"sfu-probe","sdp":"v=0\r\n"})");
    ASSERT_EQ(media.offers.size(), 1u);
    EXPECT_TRUE(media.offers[0].roomId.starts_with("probe:prober:"));
    media.answer(0, answerWith({}));
    auto answer = prober->take();
    EXPECT_EQ(answer["type"].as_string(), "sfu-probe-answer");
    EXPECT_EQ(answer["sdp"].as_string(), "v=0\r\na=ice-lite\r\n");
    hub->sweep(Hub::Clock::now() + 16s);
    EXPECT_EQ(media.removed, std::vector<std::string>{media.offers[0].roomId + "/prober"});
    for (int i = 0; i < 5; ++i) send("prober", R"({"type":"sfu-probe","sdp":"v=0\r\n"})");
    EXPECT_EQ(media.offers.size(), 6u);
    prober->inbox.clear();
    send("prober", R"({"type":"sfu-probe","sdp":"v=0\r\n"})");
    EXPECT_EQ(media.offers.size(), 6u) << "six a minute";
    EXPECT_EQ(prober->take()["code"].as_string(), "media-unavailable");
    hub->detach("prober");
    EXPECT_EQ(media.removed.size(), 6u) << "the five still alive go with the connection";
}

TEST_F(HubMediaTest, AProbeWithoutAMediaServerIsRefused) {
    start(SfuPolicy::automatic, false);
    auto prober = connect("prober");
    send("prober", R"({"type":"sfu-probe","sdp":"v=0\r\n"})");
    EXPECT_EQ(prober->take()["code"].as_string(), "media-unavailable");
}
