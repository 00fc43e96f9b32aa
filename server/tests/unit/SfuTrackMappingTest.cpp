// Which track goes where, across offers: the sources of a client's sending sections and the
// publisher tracks on its recvonly sections stay where they were while they exist.
#include <gtest/gtest.h>

#include "media/TrackMapping.hpp"

using namespace pulsemeet::media;

namespace {

using Mapping = std::vector<std::pair<std::string, TrackKey>>;

const TrackKey kAliceMic{"alice", TrackSource::microphone};
const TrackKey kAliceCam{"alice", TrackSource::camera};
const TrackKey kBobMic{"bob", TrackSource::microphone};
const TrackKey kBobCam{"bob", TrackSource::camera};
const TrackKey kBobScreen{"bob", TrackSource::screen};

}  // namespace

TEST(SfuTrackMapping, SourcesFollowTheOfferOrderThenStay) {
    auto sources =
        assignSources({{"0", "audio"}, {"1", "video"}, {"2", "video"}, {"3", "audio"}}, {});
    EXPECT_EQ(sources.at("0"), TrackSource::microphone);
    EXPECT_EQ(sources.at("1"), TrackSource::camera);
    EXPECT_EQ(sources.at("2"), TrackSource::screen);
    EXPECT_FALSE(sources.contains("3")) << "a second microphone is not forwarded";

    // The camera stops: the screen stays the screen, and a camera that comes back is a camera.
    sources = assignSources({{"0", "audio"}, {"2", "video"}}, sources);
    EXPECT_EQ(sources.at("2"), TrackSource::screen);
    sources = assignSources({{"0", "audio"}, {"2", "video"}, {"5", "video"}}, sources);
    EXPECT_EQ(sources.at("5"), TrackSource::camera);
    EXPECT_EQ(sources.at("2"), TrackSource::screen);
}

TEST(SfuTrackMapping, ReceiveSectionsTakeTracksOfTheirKindInOrder) {
    const auto mapping = mapReceiveSections({{"2", "audio"}, {"3", "video"}, {"4", "video"}}, {},
                                            {kAliceMic, kAliceCam, kBobCam});
    EXPECT_EQ(mapping, (Mapping{{"2", kAliceMic}, {"3", kAliceCam}, {"4", kBobCam}}));
}

TEST(SfuTrackMapping, MappingIsStableAcrossReoffers) {
    Mapping previous = {{"2", kAliceMic}, {"3", kAliceCam}};
    // Bob arrives; the client adds sections for him. Alice's stay where they were even though
    // Bob's tracks are listed first now.
    auto mapping = mapReceiveSections(
        {{"2", "audio"}, {"3", "video"}, {"4", "audio"}, {"5", "video"}, {"6", "video"}}, previous,
        {kBobMic, kBobCam, kBobScreen, kAliceMic, kAliceCam});
    EXPECT_EQ(mapping, (Mapping{{"2", kAliceMic},
                                {"3", kAliceCam},
                                {"4", kBobMic},
                                {"5", kBobCam},
                                {"6", kBobScreen}}));
    // Alice leaves: her sections are free, Bob's do not move; a later track reuses a free one.
    mapping = mapReceiveSections(
        {{"2", "audio"}, {"3", "video"}, {"4", "audio"}, {"5", "video"}, {"6", "video"}}, mapping,
        {kBobMic, kBobCam, kBobScreen});
    EXPECT_EQ(mapping, (Mapping{{"4", kBobMic}, {"5", kBobCam}, {"6", kBobScreen}}));
    const TrackKey carolCam{"carol", TrackSource::camera};
    mapping = mapReceiveSections(
        {{"2", "audio"}, {"3", "video"}, {"4", "audio"}, {"5", "video"}, {"6", "video"}}, mapping,
        {kBobMic, kBobCam, kBobScreen, carolCam});
    EXPECT_EQ(mapping,
              (Mapping{{"3", carolCam}, {"4", kBobMic}, {"5", kBobCam}, {"6", kBobScreen}}));
}

TEST(SfuTrackMapping, TooFewSectionsLeaveTracksUnplacedAndRemovedSectionsFreeThem) {
    auto mapping = mapReceiveSections({{"2", "video"}}, {}, {kAliceMic, kAliceCam, kBobCam});
    EXPECT_EQ(mapping, (Mapping{{"2", kAliceCam}}));
    // The section is gone from the offer (or now sends): its track is free for another.
    mapping = mapReceiveSections({{"7", "video"}}, mapping, {kAliceCam, kBobCam});
    EXPECT_EQ(mapping, (Mapping{{"7", kAliceCam}}));
}
