// The SDP offer parser on real Chromium offers (tests/fixtures/sdp) and on hostile ones: every
// limit gives its error code, nothing throws.
#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "SdpTestFixtures.hpp"
#include "media/SdpOffer.hpp"

namespace pulsemeet::media {
namespace {

SdpOffer parsed(const std::string& text) {
    auto result = parseSdpOffer(text);
    if (const auto* error = std::get_if<SdpError>(&result)) {
        ADD_FAILURE() << toString(error->code) << ": " << error->message;
        return {};
    }
    return std::get<SdpOffer>(std::move(result));
}

SdpErrorCode failure(const std::string& text, const SdpLimits& limits = {}) {
    auto result = parseSdpOffer(text, limits);
    if (std::holds_alternative<SdpOffer>(result)) {
        ADD_FAILURE() << "parsed";
        return SdpErrorCode::nothingToAnswer;
    }
    return std::get<SdpError>(result).code;
}

// A minimal valid offer with `sections` audio m-lines and `extra` lines in the first one.
std::string minimalOffer(int sections, const std::string& extra = "") {
    std::string sdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE";
    for (int i = 0; i < sections; ++i) sdp += " " + std::to_string(i);
    sdp += "\r\n";
    for (int i = 0; i < sections; ++i) {
        sdp += "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:" + std::to_string(i) +
               "\r\na=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\n"
               "a=fingerprint:sha-256 AB:CD\r\na=setup:actpass\r\na=rtcp-mux\r\n"
               "a=rtpmap:111 opus/48000/2\r\n";
        if (i == 0) sdp += extra;
    }
    return sdp;
}

TEST(SdpOfferTest, ChromiumAudioVideoOffer) {
    const auto offer = parsed(readSdpFixture("chrome-audio-video.sdp"));
    ASSERT_EQ(offer.media.size(), 2u);
    EXPECT_EQ(offer.bundleMids, (std::vector<std::string>{"0", "1"}));
    const auto& audio = offer.media[0];
    const auto& video = offer.media[1];
    EXPECT_EQ(audio.kind, "audio");
    EXPECT_EQ(video.kind, "video");
    EXPECT_EQ(audio.mid, "0");
    EXPECT_EQ(video.mid, "1");
    EXPECT_EQ(audio.protocol, "UDP/TLS/RTP/SAVPF");
    for (const auto* section : {&audio, &video}) {
        EXPECT_EQ(section->direction, SdpDirection::sendrecv);
        EXPECT_EQ(section->setup, "actpass");
        EXPECT_TRUE(section->rtcpMux);
        EXPECT_TRUE(section->rtcpRsize);
        EXPECT_TRUE(section->extmapAllowMixed);  // session level in Chromium's offer
        EXPECT_GE(section->iceUfrag.size(), 4u);
        EXPECT_GE(section->icePwd.size(), 22u);
        ASSERT_TRUE(section->fingerprint.has_value());
        EXPECT_EQ(section->fingerprint->algorithm, "sha-256");
        EXPECT_EQ(section->fingerprint->value.size(), 95u);
        EXPECT_FALSE(section->msidStream.empty());
        EXPECT_FALSE(section->msidTrack.empty());
    }
    EXPECT_EQ(audio.iceUfrag, video.iceUfrag);

    const auto* opus = audio.codec(111);
    ASSERT_NE(opus, nullptr);
    EXPECT_EQ(opus->name, "opus");
    EXPECT_EQ(opus->clockRate, 48000u);
    EXPECT_EQ(opus->channels, 2u);
    EXPECT_EQ(opus->fmtpParameter("useinbandfec"), "1");
    EXPECT_EQ(opus->feedback, (std::vector<std::string>{"transport-cc"}));

    const auto* vp8 = video.codec(96);
    ASSERT_NE(vp8, nullptr);
    EXPECT_EQ(vp8->name, "VP8");
    EXPECT_EQ(vp8->clockRate, 90000u);
    EXPECT_EQ(vp8->feedback, (std::vector<std::string>{"goog-remb", "transport-cc", "ccm fir",
                                                       "nack", "nack pli"}));
    const auto* rtx = video.codec(97);
    ASSERT_NE(rtx, nullptr);
    EXPECT_EQ(rtx->name, "rtx");
    EXPECT_EQ(rtx->repairedPayloadType(), 96);
    EXPECT_EQ(video.formats.size(), video.codecs.size());

    // Extension ids as offered.
    bool sawMid = false;
    for (const auto& extmap : video.extmaps) {
        if (extmap.uri == "urn:ietf:params:rtp-hdrext:sdes:mid") {
            sawMid = true;
            EXPECT_EQ(extmap.id, 4);
        }
    }
    EXPECT_TRUE(sawMid);

    // One media SSRC and its RTX, grouped, with a cname.
    ASSERT_EQ(video.fidGroups.size(), 1u);
    ASSERT_EQ(video.ssrcs.size(), 2u);
    EXPECT_EQ(video.fidGroups[0].first, video.ssrcs[0].ssrc);
    EXPECT_EQ(video.fidGroups[0].second, video.ssrcs[1].ssrc);
    EXPECT_FALSE(video.ssrcs[0].cname.empty());
}

TEST(SdpOfferTest, ChromiumScreenShareOfferHasTwoVideoSections) {
    const auto offer = parsed(readSdpFixture("chrome-audio-video-screen.sdp"));
    ASSERT_EQ(offer.media.size(), 3u);
    EXPECT_EQ(offer.media[1].kind, "video");
    EXPECT_EQ(offer.media[2].kind, "video");
    EXPECT_NE(offer.media[1].msidStream, offer.media[2].msidStream);
    EXPECT_EQ(offer.bundleMids.size(), 3u);
}

TEST(SdpOfferTest, ChromiumReofferWithRecvonlyTransceivers) {
    const auto offer = parsed(readSdpFixture("chrome-reoffer-3-remotes.sdp"));
    ASSERT_EQ(offer.media.size(), 8u);
    int recvonly = 0;
    for (const auto& section : offer.media) {
        if (section.direction == SdpDirection::recvonly) {
            ++recvonly;
            EXPECT_TRUE(section.ssrcs.empty());
        }
    }
    EXPECT_EQ(recvonly, 6);
    EXPECT_EQ(offer.bundleMids.size(), 8u);
}

TEST(SdpOfferTest, ChromiumSimulcastOffer) {
    const auto offer = parsed(readSdpFixture("chrome-simulcast.sdp"));
    ASSERT_EQ(offer.media.size(), 2u);
    const auto& video = offer.media[1];
    ASSERT_EQ(video.rids.size(), 3u);
    EXPECT_EQ(video.rids[0].id, "q");
    EXPECT_TRUE(video.rids[0].send);
    EXPECT_EQ(video.simulcastSend, (std::vector<std::string>{"q", "h", "f"}));
}

TEST(SdpOfferTest, SessionLevelTransportAttributesAreInherited) {
    const std::string sdp =
        "v=0\r\na=ice-ufrag:sess\r\na=ice-pwd:sessionpassword0123456\r\n"
        "a=fingerprint:sha-256 ab:cd\r\na=setup:active\r\n"
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:a\r\na=rtpmap:111 opus/48000/2\r\n";
    const auto offer = parsed(sdp);
    ASSERT_EQ(offer.media.size(), 1u);
    EXPECT_EQ(offer.media[0].iceUfrag, "sess");
    EXPECT_EQ(offer.media[0].setup, "active");
    EXPECT_EQ(offer.media[0].fingerprint->value, "AB:CD");  // normalised to upper case
}

TEST(SdpOfferTest, SimulcastAlternativesAndPausedStreamsAreRead) {
    const auto offer = parsed(minimalOffer(
        1, "a=rid:a send\r\na=rid:b send\r\na=rid:c send\r\na=simulcast:send a,b;~c\r\n"));
    EXPECT_EQ(offer.media[0].simulcastSend, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(SdpOfferTest, LimitsGiveTheirErrorCodes) {
    EXPECT_EQ(failure(minimalOffer(65)), SdpErrorCode::tooManyMediaSections);
    EXPECT_NO_FATAL_FAILURE(parsed(minimalOffer(64)));
    EXPECT_EQ(failure(minimalOffer(1, "a=x-long:" + std::string(5000, 'x') + "\r\n")),
              SdpErrorCode::lineTooLong);
    std::string manyLines = minimalOffer(1);
    for (int i = 0; i < 20000; ++i) manyLines += "a=x\r\n";
    EXPECT_EQ(failure(manyLines), SdpErrorCode::tooManyLines);
    SdpLimits small;
    small.maxBytes = 100;
    EXPECT_EQ(failure(minimalOffer(1), small), SdpErrorCode::tooLarge);

    std::string codecs;
    for (int pt = 0; pt < 65; ++pt) {
        codecs += "a=rtpmap:" + std::to_string(pt) + " x/90000\r\n";
    }
    EXPECT_EQ(failure(minimalOffer(1, codecs)), SdpErrorCode::tooManyCodecs);
    std::string formats = "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF";
    for (int pt = 0; pt < 65; ++pt) formats += " " + std::to_string(pt);
    EXPECT_EQ(failure(formats + "\r\n"), SdpErrorCode::tooManyCodecs);

    std::string feedback;
    for (int i = 0; i < 17; ++i) feedback += "a=rtcp-fb:111 x" + std::to_string(i) + "\r\n";
    EXPECT_EQ(failure(minimalOffer(1, feedback)), SdpErrorCode::tooManyAttributes);
    std::string ssrcs;
    for (int i = 0; i < 65; ++i) ssrcs += "a=ssrc:" + std::to_string(i) + " cname:x\r\n";
    EXPECT_EQ(failure(minimalOffer(1, ssrcs)), SdpErrorCode::tooManyAttributes);
    std::string rids;
    for (int i = 0; i < 9; ++i) rids += "a=rid:r" + std::to_string(i) + " send\r\n";
    EXPECT_EQ(failure(minimalOffer(1, rids)), SdpErrorCode::tooManyAttributes);
}

TEST(SdpOfferTest, ExtmapIdsOutsideTheirRangeAreRefused) {
    const std::string uri = " urn:ietf:params:rtp-hdrext:sdes:mid\r\n";
    // One-byte header form unless the offer allows mixed (two-byte) headers.
    EXPECT_NO_FATAL_FAILURE(parsed(minimalOffer(1, "a=extmap:14" + uri)));
    EXPECT_EQ(failure(minimalOffer(1, "a=extmap:15" + uri)), SdpErrorCode::badExtmapId);
    EXPECT_NO_FATAL_FAILURE(parsed(minimalOffer(1, "a=extmap-allow-mixed\r\na=extmap:255" + uri)));
    EXPECT_EQ(failure(minimalOffer(1, "a=extmap-allow-mixed\r\na=extmap:256" + uri)),
              SdpErrorCode::badExtmapId);
    EXPECT_EQ(failure(minimalOffer(1, "a=extmap:0" + uri)), SdpErrorCode::badExtmapId);
    EXPECT_EQ(failure(minimalOffer(1, "a=extmap:-1" + uri)), SdpErrorCode::badExtmapId);
    EXPECT_EQ(failure(minimalOffer(1, "a=extmap:99999999999999999999999" + uri)),
              SdpErrorCode::badExtmapId);
    EXPECT_EQ(failure(minimalOffer(1, "a=extmap:3" + uri + "a=extmap:3 urn:x\r\n")),
              SdpErrorCode::badExtmapId);
    const auto offer = parsed(minimalOffer(1, "a=extmap:2/sendonly" + uri));
    EXPECT_EQ(offer.media[0].extmaps[0].id, 2);
}

TEST(SdpOfferTest, MalformedLinesAreRefused) {
    EXPECT_EQ(failure("v=0\r\ngarbage\r\n"), SdpErrorCode::malformed);
    EXPECT_EQ(failure(minimalOffer(1, "a=rtpmap:300 opus/48000\r\n")), SdpErrorCode::malformed);
    EXPECT_EQ(failure(minimalOffer(1, "a=rtpmap:111 opus/48000/2\r\n")), SdpErrorCode::malformed);
    EXPECT_EQ(failure("v=0\r\nm=audio 70000 UDP/TLS/RTP/SAVPF 111\r\n"), SdpErrorCode::malformed);
    EXPECT_EQ(failure(minimalOffer(1, "a=fingerprint:sha-256 nothex\r\n")),
              SdpErrorCode::malformed);
    EXPECT_EQ(failure(minimalOffer(1, "a=rid:bad!id send\r\n")), SdpErrorCode::malformed);
    EXPECT_EQ(failure(minimalOffer(1, "a=ssrc-group:FID 1\r\n")), SdpErrorCode::malformed);
    EXPECT_EQ(failure(minimalOffer(1, "a=mid:" + std::string(17, 'm') + "\r\n")),
              SdpErrorCode::malformed);
    // A stray CR inside a line would be echoed into the answer as a line break.
    EXPECT_EQ(failure(minimalOffer(1, "a=fmtp:111 x=1\rm=video\r\n")), SdpErrorCode::malformed);
    EXPECT_EQ(failure(std::string("v=0\r\na=x\0y\r\n", 12)), SdpErrorCode::malformed);
}

TEST(SdpOfferTest, HundredsOfMediaSectionsStopAtTheLimit) {
    std::string sdp = "v=0\r\n";
    for (int i = 0; i < 500; ++i) sdp += "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
    const auto result = parseSdpOffer(sdp);
    ASSERT_TRUE(std::holds_alternative<SdpError>(result));
    EXPECT_EQ(std::get<SdpError>(result).code, SdpErrorCode::tooManyMediaSections);
    EXPECT_EQ(toString(std::get<SdpError>(result).code), "sdp-too-many-media");
}

TEST(SdpOfferTest, EmptyAndBinaryInputDoNotThrow) {
    EXPECT_NO_THROW(parseSdpOffer(""));
    EXPECT_NO_THROW(parseSdpOffer("\n\n\r\n"));
    std::string binary;
    for (int i = 0; i < 4096; ++i) binary += static_cast<char>((i * 131) % 256);
    EXPECT_NO_THROW(parseSdpOffer(binary));
}

}  // namespace
}  // namespace pulsemeet::media
