#include <gtest/gtest.h>

#include "cluster/ClusterEvent.hpp"
#include "cluster/DuplicateFilter.hpp"
#include "cluster/MediaSignal.hpp"
#include "cluster/MemberEntry.hpp"
#include "cluster/RedisKeys.hpp"
#include "cluster/RemoteRoster.hpp"
#include "config/Config.hpp"
#include "signaling/SfuView.hpp"

using namespace pulsemeet::cluster;
using pulsemeet::wire::MessageType;

TEST(ClusterEvent, RoundTripsEveryField) {
    const ClusterEvent event{ClusterEvent::Kind::relay,
                             "inst",
                             "room-1",
                             "from",
                             "to",
                             MessageType::iceCandidate,
                             "",
                             "",
                             R"({"type":"ice-candidate"})"};
    const auto decoded = decodeEvent(encodeEvent(event));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->kind, ClusterEvent::Kind::relay);
    EXPECT_EQ(decoded->source, "inst");
    EXPECT_EQ(decoded->roomId, "room-1");
    EXPECT_EQ(decoded->peerId, "from");
    EXPECT_EQ(decoded->targetId, "to");
    EXPECT_EQ(decoded->type, MessageType::iceCandidate);
    EXPECT_EQ(decoded->envelope, event.envelope);

    const ClusterEvent joined{
        ClusterEvent::Kind::joined, "inst", "room-1", "p", "", MessageType::peerJoined, "Ann \"A\"",
        R"({"audio":true})",        "{}"};
    const auto back = decodeEvent(encodeEvent(joined));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->name, "Ann \"A\"");
    EXPECT_EQ(back->mediaJson, R"({"audio":true})");
}

TEST(ClusterEvent, CarriesItsNumberAndDeadlineOnlyWhenSet) {
    ClusterEvent event{ClusterEvent::Kind::relay, "inst", "room-1", "from", "to",
                       MessageType::offer,        "",     "",       "{}"};
    EXPECT_EQ(encodeEvent(event).find("\"seq\""), std::string::npos);
    EXPECT_EQ(encodeEvent(event).find("\"exp\""), std::string::npos);
    event.sequence = 18'446'744'073'709'551'615u;  // the largest, beyond int64
    event.expiresAtMs = 1'700'000'000'123;
    auto decoded = decodeEvent(encodeEvent(event));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->sequence, event.sequence);
    EXPECT_EQ(decoded->expiresAtMs, event.expiresAtMs);
    event.sequence = 7;
    decoded = decodeEvent(encodeEvent(event));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->sequence, 7u);
    // Not a number, or not a positive one: not ours.
    EXPECT_FALSE(decodeEvent(
        R"({"v":1,"kind":"media","src":"i","room":"r","peer":"p","type":"media-state","msg":"{}","seq":"7"})"));
    EXPECT_FALSE(decodeEvent(
        R"({"v":1,"kind":"media","src":"i","room":"r","peer":"p","type":"media-state","msg":"{}","seq":-1})"));
    EXPECT_FALSE(decodeEvent(
        R"({"v":1,"kind":"media","src":"i","room":"r","peer":"p","type":"media-state","msg":"{}","exp":1.5})"));
}

// The window a receiver keeps per (sending instance, room): the highest number delivered.
TEST(DuplicateFilter, DropsCopiesAndOlderEventsPerSenderAndRoom) {
    DuplicateFilter filter;
    EXPECT_TRUE(filter.firstSighting("a", "r1", 1));
    EXPECT_TRUE(filter.firstSighting("a", "r1", 2));
    EXPECT_FALSE(filter.firstSighting("a", "r1", 2)) << "the copy re-sent after a reconnect";
    EXPECT_FALSE(filter.firstSighting("a", "r1", 1)) << "a copy a thawed Redis ran late";
    // Numbers skip (the sender's other rooms): gaps are fine.
    EXPECT_TRUE(filter.firstSighting("a", "r1", 40));
    // Another room of the same sender, and another sender in the same room, are separate.
    EXPECT_TRUE(filter.firstSighting("a", "r2", 3));
    EXPECT_TRUE(filter.firstSighting("b", "r1", 2));
    EXPECT_FALSE(filter.firstSighting("b", "r1", 2));
    // A room this instance stopped receiving is forgotten with its window.
    filter.forgetRoom("r1");
    EXPECT_TRUE(filter.firstSighting("a", "r1", 1));
    EXPECT_FALSE(filter.firstSighting("a", "r2", 3)) << "other rooms keep theirs";
}

TEST(ClusterEvent, RefusesWhatIsNotOneOfOurs) {
    EXPECT_FALSE(decodeEvent("not json"));
    EXPECT_FALSE(decodeEvent(R"({"v":2,"kind":"relay"})"));
    EXPECT_FALSE(decodeEvent(
        R"({"v":1,"kind":"teleport","src":"i","room":"r","peer":"p","type":"offer","msg":"{}"})"));
    // A relay without a target cannot be delivered.
    EXPECT_FALSE(decodeEvent(
        R"({"v":1,"kind":"relay","src":"i","room":"r","peer":"p","type":"offer","msg":"{}"})"));
}

TEST(ClusterEvent, CarriesMediaSignalingAndOwnerChanges) {
    ClusterEvent offer;
    offer.kind = ClusterEvent::Kind::sfu;
    offer.source = "inst-b";
    offer.roomId = "r";
    offer.peerId = "p";
    offer.targetId = "inst-a";  // the owner
    offer.type = MessageType::sfuOffer;
    offer.envelope = "v=0\r\n";
    offer.offer = 42;
    const auto decoded = decodeEvent(encodeEvent(offer));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->kind, ClusterEvent::Kind::sfu);
    EXPECT_EQ(decoded->targetId, "inst-a");
    EXPECT_EQ(decoded->type, MessageType::sfuOffer);
    EXPECT_EQ(decoded->offer, 42u);
    EXPECT_EQ(decoded->envelope, "v=0\r\n");

    // A release names no owner.
    ClusterEvent released{ClusterEvent::Kind::owner, "inst-a", "r", "inst-a", {},
                          MessageType::roomMode,     {},       {},  "-"};
    const auto owner = decodeEvent(encodeEvent(released));
    ASSERT_TRUE(owner);
    EXPECT_EQ(owner->kind, ClusterEvent::Kind::owner);
    EXPECT_EQ(owner->targetId, "");
    EXPECT_EQ(owner->offer, 0u);

    // Media signaling without its target cannot be routed; a negative offer number is refused.
    EXPECT_FALSE(decodeEvent(
        R"({"v":1,"kind":"sfu","src":"i","room":"r","peer":"p","type":"sfu-offer","msg":"x"})"));
    EXPECT_FALSE(decodeEvent(R"({"v":1,"kind":"sfu","src":"i","room":"r","peer":"p",)"
                             R"("target":"a","type":"sfu-offer","msg":"x","offer":-1})"));
}

TEST(MediaSignal, ClientSignalingGoesToTheOwnerAndViewsCrossInTheirOwnShape) {
    EXPECT_TRUE(towardsOwner(MessageType::sfuOffer));
    EXPECT_TRUE(towardsOwner(MessageType::sfuLeave));
    EXPECT_TRUE(towardsOwner(MessageType::sfuView));
    EXPECT_FALSE(towardsOwner(MessageType::sfuAnswer));
    EXPECT_FALSE(towardsOwner(MessageType::sfuForwarding));
    EXPECT_FALSE(towardsOwner(MessageType::activeSpeaker));

    using pulsemeet::signaling::decodeSfuViews;
    using pulsemeet::signaling::encodeSfuViews;
    const auto views =
        decodeSfuViews(encodeSfuViews({{"a1", "camera", 640, 360, true}, {"b2", "screen", 0, 0}}));
    ASSERT_EQ(views.size(), 2U);
    EXPECT_EQ(views[0].peerId, "a1");
    EXPECT_EQ(views[0].width, 640U);
    EXPECT_EQ(views[0].height, 360U);
    EXPECT_TRUE(views[0].pinned);
    EXPECT_EQ(views[1].peerId, "b2");
    EXPECT_EQ(views[1].source, "screen");
    EXPECT_FALSE(views[1].pinned);
    EXPECT_TRUE(decodeSfuViews(encodeSfuViews({})).empty());
    // Whatever else arrives shows nothing.
    EXPECT_TRUE(decodeSfuViews("").empty());
    EXPECT_TRUE(decodeSfuViews(R"(["a"])").empty());
    EXPECT_TRUE(decodeSfuViews(encodeSfuViews({{"b\"2\n", "camera", 1, 1}})).empty());
    EXPECT_TRUE(
        decodeSfuViews(R"({"views":[{"peerId":"a","source":"camera","width":-1,"height":0}]})")
            .empty());
}

TEST(MemberEntry, KeepsNamesWithNewlinesIntact) {
    const MemberEntry entry{"inst", R"({"audio":false})", "two\nlines"};
    const auto decoded = MemberEntry::decode(entry.encode());
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->instance, "inst");
    EXPECT_EQ(decoded->mediaJson, R"({"audio":false})");
    EXPECT_EQ(decoded->name, "two\nlines");
    EXPECT_FALSE(MemberEntry::decode("no separators"));
}

TEST(RedisKeys, EveryRoomKeyCarriesTheRoomAsHashTag) {
    const RedisKeys keys("pm");
    EXPECT_EQ(keys.members("r-1"), "pm:{r-1}:members");
    EXPECT_EQ(keys.channel("r-1"), "pm:{r-1}:events");
    EXPECT_EQ(keys.mediaOwner("r-1"), "pm:{r-1}:media-owner");
    EXPECT_EQ(keys.roomOfChannel("pm:{r-1}:events"), "r-1");
    EXPECT_EQ(keys.roomOfChannel("other:{r-1}:events"), "");
    EXPECT_EQ(keys.roomOfChannel("pm:{}:events"), "");
}

TEST(RemoteRoster, AnnouncesADepartureOnlyOnce) {
    RemoteRoster roster;
    roster.add("room", "a", {"inst-1", "A", "{}"});
    roster.add("room", "b", {"inst-2", "B", "{}"});
    EXPECT_TRUE(roster.contains("room", "a"));
    EXPECT_EQ(roster.count("room"), 2u);
    EXPECT_EQ(roster.instances().size(), 2u);
    EXPECT_EQ(roster.peersOf("inst-1").size(), 1u);
    roster.setMedia("room", "a", R"({"audio":false})");
    EXPECT_EQ(roster.peers("room")[0].mediaJson, R"({"audio":false})");
    EXPECT_TRUE(roster.remove("room", "a"));
    EXPECT_FALSE(roster.remove("room", "a"));
    roster.forgetRoom("room");
    EXPECT_EQ(roster.count("room"), 0u);
}

TEST(ClusterConfig, RedisSettingsAreValidated) {
    using namespace pulsemeet::config;
    const auto load = [](const Environment& env) {
        return pulsemeet::config::load({"--env-file", "/dev/null"}, env);
    };
    const Config defaults = load({});
    EXPECT_FALSE(defaults.redisEnabled);
    EXPECT_EQ(defaults.redisHost, "127.0.0.1");
    EXPECT_EQ(defaults.redisPort, 6379);
    EXPECT_EQ(defaults.redisHeartbeat, std::chrono::seconds(10));
    const Config set = load({{"REDIS_ENABLED", "true"},
                             {"REDIS_ADDR", "redis.internal:6380"},
                             {"REDIS_DB", "3"},
                             {"REDIS_CHANNEL", "pm-prod"},
                             {"REDIS_HEARTBEAT_SECONDS", "4"}});
    EXPECT_TRUE(set.redisEnabled);
    EXPECT_EQ(set.redisHost, "redis.internal");
    EXPECT_EQ(set.redisPort, 6380);
    EXPECT_EQ(set.redisDb, 3);
    EXPECT_EQ(set.redisChannel, "pm-prod");
    EXPECT_EQ(set.redisHeartbeat, std::chrono::seconds(4));
    for (const char* bad : {"localhost", "localhost:0", ":6379", "host:port"}) {
        EXPECT_THROW(load({{"REDIS_ADDR", bad}}), ConfigError) << bad;
    }
    EXPECT_THROW(load({{"REDIS_CHANNEL", "has space"}}), ConfigError);
    EXPECT_THROW(load({{"REDIS_CHANNEL", "{tag}"}}), ConfigError);
    EXPECT_THROW(load({{"REDIS_HEARTBEAT_SECONDS", "0"}}), ConfigError);
}
