// Big rooms on the media server: the audio level each packet carries (RFC 6464), the active
// speaker decided from it, last-N ordering with pins, and the three-loudest-microphones rule.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include "media/ActiveSpeakerObserver.hpp"
#include "media/AudioLevel.hpp"
#include "media/LastN.hpp"
#include "media/LoudestAudio.hpp"
#include "media/RoomForwarding.hpp"
#include "media/RtpPacket.hpp"

namespace pulsemeet::media {
namespace {

using namespace std::chrono_literals;
using Clock = ActiveSpeakerObserver::Clock;
using Peers = std::vector<std::string>;

constexpr std::uint8_t kLevelId = 1;

std::vector<std::uint8_t> packetWith(std::span<const RtpExtensionElement> elements) {
    std::vector<std::uint8_t> out(200);
    const std::uint8_t payload[] = {0xF8, 0xFF, 0xFE};
    out.resize(writeRtpPacket(out, {false, 111, 1, 960, 0xA0D10, {}}, elements, payload));
    return out;
}

TEST(AudioLevel, ParsesTheVoiceBitAndTheLevel) {
    const std::uint8_t speech[] = {0x80 | 30};
    const auto level = parseAudioLevel(speech);
    ASSERT_TRUE(level);
    EXPECT_TRUE(level->voice);
    EXPECT_EQ(level->minusDbov, 30);
    EXPECT_NEAR(level->linear(), 0.0316, 0.0001);  // 10^(-30/20)
    const std::uint8_t silence[] = {127};
    EXPECT_FALSE(parseAudioLevel(silence)->voice);
    EXPECT_EQ(parseAudioLevel(silence)->linear(), 0.0);
    const std::uint8_t fullScale[] = {0};
    EXPECT_EQ(parseAudioLevel(fullScale)->linear(), 1.0);
}

TEST(AudioLevel, RefusesAnElementThatIsNotExactlyOneByte) {
    EXPECT_FALSE(parseAudioLevel({}));
    const std::uint8_t two[] = {0x80 | 30, 0};
    EXPECT_FALSE(parseAudioLevel(two));
}

TEST(AudioLevel, FindsTheNegotiatedIdAndReadsItFromAPacket) {
    const std::vector<SdpExtmap> extmaps = {{4, "urn:ietf:params:rtp-hdrext:sdes:mid"},
                                            {kLevelId, std::string(kAudioLevelUri)}};
    EXPECT_EQ(audioLevelExtensionId(extmaps), kLevelId);
    EXPECT_FALSE(audioLevelExtensionId(std::span(extmaps).first(1)));

    const std::uint8_t mid[] = {'0'};
    const std::uint8_t level[] = {0x80 | 20};
    const RtpExtensionElement both[] = {{4, mid}, {kLevelId, level}};
    auto bytes = packetWith(both);
    const auto packet = RtpPacket::parse(bytes);
    ASSERT_TRUE(packet);
    ASSERT_TRUE(readAudioLevel(*packet, kLevelId));
    EXPECT_EQ(readAudioLevel(*packet, kLevelId)->minusDbov, 20);
    EXPECT_FALSE(readAudioLevel(*packet, 7)) << "absent";
}

TEST(AudioLevel, AMalformedElementInAPacketGivesNoLevel) {
    // Two bytes under the level's id (the writer picks the one-byte form, len 1): not RFC 6464.
    const std::uint8_t tooLong[] = {0x80 | 20, 0x55};
    const RtpExtensionElement elements[] = {{kLevelId, tooLong}};
    auto bytes = packetWith(elements);
    const auto packet = RtpPacket::parse(bytes);
    ASSERT_TRUE(packet);
    EXPECT_FALSE(readAudioLevel(*packet, kLevelId));
    // An extension block that claims more than the datagram holds is no packet at all.
    auto truncated = packetWith(elements);
    truncated[15] = 0x20;  // the block length, in 32-bit words
    truncated.resize(20);
    EXPECT_FALSE(RtpPacket::parse(truncated));
}

// Who sends at which level (-dBov) in a stretch of time; peers not listed send nothing.
using Script = std::map<std::string, std::uint8_t>;

// Every 20 ms over [from, from + length): each scripted peer sends a packet, then decide() runs
// (as the worker's tick does). The changes, in order, with when they happened.
std::vector<std::pair<std::string, Clock::time_point>> run(ActiveSpeakerObserver& observer,
                                                           Clock::time_point from,
                                                           Clock::duration length,
                                                           const Script& script) {
    std::vector<std::pair<std::string, Clock::time_point>> changes;
    for (auto t = from; t < from + length; t += 20ms) {
        for (const auto& [peer, level] : script) observer.onLevel(peer, AudioLevel{level, true}, t);
        if (const auto change = observer.decide(t)) changes.emplace_back(change->peerId, t);
    }
    return changes;
}

Peers who(const std::vector<std::pair<std::string, Clock::time_point>>& changes) {
    Peers out;
    for (const auto& change : changes) out.push_back(change.first);
    return out;
}

struct Observed : ::testing::Test {
    Observed() {
        for (const char* peer : {"ann", "bob", "cat"}) observer.addPeer(peer);
    }
    ActiveSpeakerObserver observer;
    Clock::time_point t0 = Clock::time_point{} + 1000s;
};

TEST_F(Observed, NobodyIsTheSpeakerBeforeAnyoneSpeaks) {
    EXPECT_TRUE(run(observer, t0, 2s, {{"ann", 127}, {"bob", 127}}).empty());
    EXPECT_FALSE(observer.speaker());
}

TEST_F(Observed, TheOneWhoSpeaksBecomesTheSpeakerAndMovesToTheFrontOfTheHistory) {
    EXPECT_EQ(who(run(observer, t0, 1s, {{"bob", 30}, {"ann", 127}})), Peers{"bob"});
    EXPECT_EQ(observer.speaker(), "bob");
    EXPECT_EQ(observer.recentSpeakers(), (Peers{"bob", "ann", "cat"}));
}

TEST_F(Observed, TheLevelIsSmoothedOverTheWindowSoOneLoudPacketDoesNotTakeTheRing) {
    ASSERT_EQ(who(run(observer, t0, 2s, {{"ann", 30}, {"bob", 127}})), Peers{"ann"});
    // bob coughs once (one packet at full scale) while ann keeps speaking.
    observer.onLevel("bob", AudioLevel{0, true}, t0 + 2s);
    EXPECT_TRUE(run(observer, t0 + 2s, 2s, {{"ann", 30}, {"bob", 127}}).empty());
    EXPECT_EQ(observer.speaker(), "ann");
}

TEST_F(Observed, ASpeakerWhoStillSpeaksIsReplacedOnlyBySomeoneClearlyLouder) {
    ASSERT_EQ(who(run(observer, t0, 1s, {{"ann", 30}})), Peers{"ann"});  // 0.032
    // bob at 0.045: louder, but not by 6 dB.
    EXPECT_TRUE(run(observer, t0 + 1s, 3s, {{"ann", 30}, {"bob", 27}}).empty());
    // bob at 0.1: more than twice as loud.
    EXPECT_EQ(who(run(observer, t0 + 4s, 2s, {{"ann", 30}, {"bob", 20}})), Peers{"bob"});
}

TEST_F(Observed, TwoPeopleTakingTurnsQuicklyDoNotFlapFasterThanTheHold) {
    // ann and bob alternate every 200 ms for 6 s, each loud in turn.
    std::vector<std::pair<std::string, Clock::time_point>> changes;
    for (int i = 0; i < 30; ++i) {
        const bool annTalks = i % 2 == 0;
        for (auto& change : run(observer, t0 + i * 200ms, 200ms,
                                {{"ann", annTalks ? std::uint8_t{10} : std::uint8_t{127}},
                                 {"bob", annTalks ? std::uint8_t{127} : std::uint8_t{10}}}))
            changes.push_back(change);
    }
    ASSERT_FALSE(changes.empty());
    for (std::size_t i = 1; i < changes.size(); ++i)
        EXPECT_GE(changes[i].second - changes[i - 1].second, observer.options().minHold);
    EXPECT_LE(changes.size(), 6U) << "at most one change a second";
}

TEST_F(Observed, TheSpeakerKeepsTheRingThroughSilenceAndLosesItToTheNextVoice) {
    ASSERT_EQ(who(run(observer, t0, 1s, {{"ann", 30}})), Peers{"ann"});
    EXPECT_TRUE(run(observer, t0 + 1s, 3s, {{"ann", 127}}).empty()) << "silence changes nothing";
    EXPECT_TRUE(run(observer, t0 + 4s, 1s, {}).empty()) << "nor do packets that stop";
    // cat is quieter than ann was, but ann is silent now.
    EXPECT_EQ(who(run(observer, t0 + 5s, 1s, {{"ann", 127}, {"cat", 32}})), Peers{"cat"});
    EXPECT_EQ(observer.recentSpeakers(), (Peers{"cat", "ann", "bob"}));
}

TEST_F(Observed, APeerThatLeftIsForgotten) {
    run(observer, t0, 1s, {{"ann", 30}});
    observer.removePeer("ann");
    EXPECT_FALSE(observer.speaker());
    EXPECT_EQ(observer.recentSpeakers(), (Peers{"bob", "cat"}));
    observer.onLevel("ann", AudioLevel{0, true}, t0 + 1s);  // a late packet: ignored
    EXPECT_EQ(observer.level("ann", t0 + 1s), 0.0);
}

TEST(LastN, TheViewerGetsTheNMostRecentSpeakersOtherThanItself) {
    const Peers recent = {"e", "me", "b", "a", "c", "d"};
    EXPECT_EQ(lastNCameras(recent, "me", {}, 3), (Peers{"e", "b", "a"}));
    EXPECT_EQ(lastNCameras(recent, "x", {}, 3), (Peers{"e", "me", "b"}));
    EXPECT_EQ(lastNCameras(recent, "me", {}, 16), (Peers{"e", "b", "a", "c", "d"}))
        << "a room no bigger than N: everyone";
}

TEST(LastN, PinsComeOnTopOfTheN) {
    const Peers recent = {"e", "me", "b", "a", "c", "d"};
    const Peers pins = {"d", "b", "gone"};
    EXPECT_EQ(lastNCameras(recent, "me", pins, 2), (Peers{"e", "b", "d"}))
        << "b is among the 2 anyway; d comes on top; a pin of someone gone is nothing";
    EXPECT_EQ(lastNCameras(recent, "me", pins, 1), (Peers{"e", "b", "d"}));
}

std::vector<std::pair<std::string, double>> levels(
    std::initializer_list<std::pair<const char*, double>> list) {
    std::vector<std::pair<std::string, double>> out;
    for (const auto& [peer, level] : list) out.emplace_back(peer, level);
    return out;
}

// forEachLevel reads the levels without looking each peer up: each level must stay with its peer
// while the active speaker moves to the front and peers leave.
TEST(ActiveSpeakerObserver, EachLevelStaysWithItsPeerAsTheOrderChanges) {
    ActiveSpeakerObserver observer;
    for (const char* peer : {"a", "b", "c"}) observer.addPeer(peer);
    const auto levels = [&](Clock::time_point now) {
        std::vector<std::pair<std::string, double>> out;
        observer.forEachLevel(now, [&](const std::string& peer, double level) {
            EXPECT_DOUBLE_EQ(level, observer.level(peer, now)) << peer;
            out.emplace_back(peer, level);
        });
        return out;
    };
    auto t = Clock::time_point{} + 1000s;
    for (; t < Clock::time_point{} + 1000s + 400ms; t += 20ms) {
        observer.onLevel("a", AudioLevel{30, true}, t);
        observer.onLevel("c", AudioLevel{10, true}, t);
    }
    EXPECT_EQ(levels(t).size(), 3U);
    ASSERT_TRUE(observer.decide(t));
    ASSERT_EQ(observer.speaker(), "c");
    auto now = levels(t);
    ASSERT_EQ(now.size(), 3U);
    EXPECT_EQ(now[0].first, "c") << "the speaker first";
    EXPECT_GT(now[0].second, now[1].second);
    EXPECT_EQ(now[2].first, "b");
    EXPECT_EQ(now[2].second, 0.0) << "b never spoke";

    observer.removePeer("a");
    now = levels(t);
    ASSERT_EQ(now.size(), 2U);
    EXPECT_EQ(now[1].first, "b");
    EXPECT_EQ(now[1].second, 0.0);
    // Silent through the whole window: every level is 0 again.
    for (const auto& [peer, level] : levels(t + 600ms)) EXPECT_EQ(level, 0.0) << peer;

    // A moved observer (a room's state moves with its Router) reads its own levels.
    static_assert(!std::is_copy_constructible_v<ActiveSpeakerObserver>);
    const ActiveSpeakerObserver moved = std::move(observer);
    std::vector<std::string> order;
    moved.forEachLevel(t, [&](const std::string& peer, double level) {
        EXPECT_DOUBLE_EQ(level, moved.level(peer, t)) << peer;
        order.push_back(peer);
    });
    EXPECT_EQ(order, (std::vector<std::string>{"c", "b"}));
}

TEST(LoudestAudio, TakesTheThreeLoudestSpeakers) {
    LoudestAudio loudest;
    EXPECT_FALSE(loudest.update(levels({{"a", 0}, {"b", 0}, {"c", 0}, {"d", 0}})));
    EXPECT_TRUE(loudest.selection().empty()) << "nobody speaks: nothing forwarded";
    EXPECT_TRUE(
        loudest.update(levels({{"a", 0.05}, {"b", 0.2}, {"c", 0}, {"d", 0.1}, {"e", 0.3}})));
    EXPECT_EQ(loudest.selection(), (Peers{"e", "b", "d"}));
    EXPECT_FALSE(loudest.selected("a"));
}

TEST(LoudestAudio, ASelectedMicrophoneKeepsItsPlaceThroughAPauseUntilSomeoneElseSpeaks) {
    LoudestAudio loudest;
    loudest.update(levels({{"a", 0.1}, {"b", 0.1}, {"c", 0.1}, {"d", 0}}));
    EXPECT_FALSE(loudest.update(levels({{"a", 0}, {"b", 0.1}, {"c", 0.1}, {"d", 0}})));
    EXPECT_TRUE(loudest.selected("a")) << "a pauses between sentences";
    EXPECT_TRUE(loudest.update(levels({{"a", 0}, {"b", 0.1}, {"c", 0.1}, {"d", 0.03}})));
    EXPECT_EQ(loudest.selection(), (Peers{"d", "b", "c"})) << "d speaks and takes a's place";
}

TEST(LoudestAudio, AFourthSpeakerNeedsAMarginOverTheQuietestOfTheThree) {
    LoudestAudio loudest;
    loudest.update(levels({{"a", 0.1}, {"b", 0.1}, {"c", 0.05}}));
    EXPECT_FALSE(loudest.update(levels({{"a", 0.1}, {"b", 0.1}, {"c", 0.05}, {"d", 0.09}})));
    EXPECT_FALSE(loudest.selected("d"));
    EXPECT_TRUE(loudest.update(levels({{"a", 0.1}, {"b", 0.1}, {"c", 0.05}, {"d", 0.11}})));
    EXPECT_EQ(loudest.selection(), (Peers{"a", "b", "d"}));
}

TEST(LoudestAudio, APeerThatLeftLeavesTheSelection) {
    LoudestAudio loudest;
    loudest.update(levels({{"a", 0.1}, {"b", 0.1}}));
    EXPECT_TRUE(loudest.update(levels({{"b", 0.1}})));
    EXPECT_EQ(loudest.selection(), Peers{"b"});
}

std::vector<TrackKey> everyTrackOf(const Peers& peers) {
    std::vector<TrackKey> out;
    for (const auto& peer : peers)
        for (const auto source : {TrackSource::microphone, TrackSource::camera})
            out.push_back({peer, source});
    return out;
}

std::size_t countOf(const std::vector<TrackKey>& tracks, TrackSource source) {
    return static_cast<std::size_t>(std::count_if(
        tracks.begin(), tracks.end(), [&](const TrackKey& key) { return key.source == source; }));
}

TEST(RoomForwarding, SixteenPeopleHearEveryoneAndSeventeenHearTheThreeLoudest) {
    RoomForwarding room(RoomForwarding::Options{4, {}});
    Peers peers;
    for (int i = 0; i < 16; ++i) {
        peers.push_back("p" + std::to_string(i));
        room.addPeer(peers.back());
    }
    const auto t0 = Clock::time_point{} + 1000s;
    auto forwarded = room.forwardedFor("p0", everyTrackOf(peers));
    EXPECT_EQ(countOf(forwarded, TrackSource::microphone), 16U) << "16 people: all audio";
    EXPECT_EQ(countOf(forwarded, TrackSource::camera), 4U) << "last-N = 4";

    peers.push_back("p16");
    room.addPeer("p16");
    for (const char* speaker : {"p3", "p7", "p11", "p12"})
        for (auto t = t0; t < t0 + 500ms; t += 20ms)
            room.onAudioLevel(
                speaker,
                AudioLevel{std::string(speaker) == "p12" ? std::uint8_t{40} : std::uint8_t{20},
                           true},
                t);
    EXPECT_TRUE(room.tick(t0 + 480ms).forwardingChanged);
    forwarded = room.forwardedFor("p0", everyTrackOf(peers));
    EXPECT_EQ(countOf(forwarded, TrackSource::microphone), 3U);
    for (const char* loud : {"p3", "p7", "p11"})
        EXPECT_NE(
            std::find(forwarded.begin(), forwarded.end(), TrackKey{loud, TrackSource::microphone}),
            forwarded.end())
            << loud;
    // The active speaker (one of the three loud ones) now leads last-N.
    ASSERT_TRUE(room.speakers().speaker());
    EXPECT_EQ(room.speakers().recentSpeakers().front(), *room.speakers().speaker());
}

TEST(RoomForwarding, ScreensAreAlwaysForwardedAndPinsAddCameras) {
    RoomForwarding room(RoomForwarding::Options{1, {}});
    for (const char* peer : {"a", "b", "c", "d"}) room.addPeer(peer);
    std::vector<TrackKey> available = everyTrackOf({"b", "c", "d"});
    available.push_back({"d", TrackSource::screen});
    auto forwarded = room.forwardedFor("a", available);
    EXPECT_EQ(countOf(forwarded, TrackSource::camera), 1U);
    EXPECT_EQ(countOf(forwarded, TrackSource::screen), 1U);
    EXPECT_TRUE(room.setPinned("a", {"d", "d"}));
    EXPECT_FALSE(room.setPinned("a", {"d"})) << "the same pins again change nothing";
    forwarded = room.forwardedFor("a", available);
    EXPECT_EQ(countOf(forwarded, TrackSource::camera), 2U);
    EXPECT_NE(std::find(forwarded.begin(), forwarded.end(), TrackKey{"d", TrackSource::camera}),
              forwarded.end());
}

// Found by the one-speaker-to-100-viewers benchmark: viewers with no camera joined first and
// held every last-N place, so the speaker's camera reached nobody.
TEST(RoomForwarding, PeopleWithoutACameraHoldNoLastNPlace) {
    RoomForwarding room(RoomForwarding::Options{2, {}});
    for (const char* peer : {"v1", "v2", "v3", "v4", "speaker", "other"}) room.addPeer(peer);
    std::vector<TrackKey> available = {{"speaker", TrackSource::camera},
                                       {"speaker", TrackSource::microphone},
                                       {"other", TrackSource::camera}};
    for (const char* viewer : {"v2", "v3", "v4"})
        available.push_back({viewer, TrackSource::microphone});
    const auto forwarded = room.forwardedFor("v1", available);
    EXPECT_EQ(countOf(forwarded, TrackSource::camera), 2U);
    EXPECT_NE(
        std::find(forwarded.begin(), forwarded.end(), TrackKey{"speaker", TrackSource::camera}),
        forwarded.end());
}

}  // namespace
}  // namespace pulsemeet::media
