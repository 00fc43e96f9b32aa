// Answers built from real Chromium offers (tests/fixtures/sdp): what each m-line gets, checked
// by parsing the answer back; and the offers we refuse to answer.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <variant>

#include "SdpTestFixtures.hpp"
#include "media/SdpAnswer.hpp"
#include "media/SdpOffer.hpp"

namespace pulsemeet::media {
namespace {

const std::string kFingerprint =
    "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:"
    "CD:EF";

SdpAnswerParameters parameters() {
    SdpAnswerParameters p;
    p.iceUfrag = "srvufrag";
    p.icePwd = "serverpassword01234567";
    p.fingerprintSha256 = kFingerprint;
    p.candidateAddress = "192.0.2.10";
    p.candidatePort = 10000;
    return p;
}

SdpOffer offerFrom(const std::string& text) {
    auto result = parseSdpOffer(text);
    if (const auto* error = std::get_if<SdpError>(&result)) {
        ADD_FAILURE() << error->message;
        return {};
    }
    return std::get<SdpOffer>(std::move(result));
}

SdpAnswer answerTo(const SdpOffer& offer, const SdpAnswerParameters& p = parameters()) {
    auto result = buildSdpAnswer(offer, p);
    if (const auto* error = std::get_if<SdpError>(&result)) {
        ADD_FAILURE() << toString(error->code) << ": " << error->message;
        return {};
    }
    return std::get<SdpAnswer>(std::move(result));
}

SdpErrorCode refusal(const std::string& offerText) {
    auto result = buildSdpAnswer(offerFrom(offerText), parameters());
    if (!std::holds_alternative<SdpError>(result)) {
        ADD_FAILURE() << "answered";
        return SdpErrorCode::malformed;
    }
    return std::get<SdpError>(result).code;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::vector<std::string> codecNames(const SdpMediaSection& section) {
    std::vector<std::string> names;
    for (const auto& codec : section.codecs) names.push_back(codec.name);
    return names;
}

class SdpAnswerFixtureTest : public ::testing::TestWithParam<const char*> {};

// What every answer must be, whatever the offer: parseable by our own parser, ICE-lite, one
// BUNDLE group of the accepted mids, our credentials, passive DTLS, our one host candidate.
TEST_P(SdpAnswerFixtureTest, AnswerIsWellFormed) {
    const auto offer = offerFrom(readSdpFixture(GetParam()));
    const auto answer = answerTo(offer);
    const auto& sdp = answer.sdp;
    EXPECT_TRUE(sdp.starts_with("v=0\r\n"));
    EXPECT_TRUE(sdp.ends_with("\r\n"));
    EXPECT_TRUE(contains(sdp, "\r\na=ice-lite\r\n"));
    EXPECT_FALSE(contains(sdp, "a=setup:actpass"));
    EXPECT_FALSE(contains(sdp, "\n\n"));

    const auto reparsed = offerFrom(sdp);
    ASSERT_EQ(reparsed.media.size(), offer.media.size());
    EXPECT_EQ(reparsed.bundleMids, offer.bundleMids);  // Chromium's sections are all accepted
    for (std::size_t i = 0; i < offer.media.size(); ++i) {
        const auto& ours = reparsed.media[i];
        EXPECT_EQ(ours.mid, offer.media[i].mid);
        EXPECT_EQ(ours.kind, offer.media[i].kind);
        EXPECT_EQ(ours.port, 10000);
        EXPECT_EQ(ours.setup, "passive");
        EXPECT_EQ(ours.iceUfrag, "srvufrag");
        EXPECT_EQ(ours.icePwd, "serverpassword01234567");
        ASSERT_TRUE(ours.fingerprint.has_value());
        EXPECT_EQ(ours.fingerprint->value, kFingerprint);
        EXPECT_TRUE(ours.rtcpMux);
        EXPECT_TRUE(ours.rtcpRsize);
        // Codecs: a subset of the offer's, with the offer's payload types and parameters.
        ASSERT_FALSE(ours.codecs.empty());
        for (const auto& codec : ours.codecs) {
            const auto* offered = offer.media[i].codec(codec.payloadType);
            ASSERT_NE(offered, nullptr) << codec.payloadType;
            EXPECT_EQ(offered->name, codec.name);
            EXPECT_EQ(offered->fmtp, codec.fmtp);
            for (const auto& type : codec.feedback) {
                EXPECT_NE(std::find(offered->feedback.begin(), offered->feedback.end(), type),
                          offered->feedback.end());
                EXPECT_NE(type, "transport-cc");  // not asked for
            }
        }
        // Extensions: a subset of the offer's, same ids.
        for (const auto& extmap : ours.extmaps) {
            const auto& offered = offer.media[i].extmaps;
            EXPECT_NE(std::find_if(offered.begin(), offered.end(),
                                   [&](const SdpExtmap& e) {
                                       return e.id == extmap.id && e.uri == extmap.uri;
                                   }),
                      offered.end());
        }
    }
    EXPECT_TRUE(contains(sdp, "a=candidate:1 1 udp 2130706431 192.0.2.10 10000 typ host\r\n"));
    EXPECT_TRUE(contains(sdp, "a=end-of-candidates\r\n"));
    EXPECT_EQ(answer.remoteFingerprint.value, offer.media[0].fingerprint->value);
    EXPECT_EQ(answer.remoteIceUfrag, offer.media[0].iceUfrag);
}

INSTANTIATE_TEST_SUITE_P(Chromium, SdpAnswerFixtureTest,
                         ::testing::Values("chrome-audio-video.sdp",
                                           "chrome-audio-video-screen.sdp",
                                           "chrome-reoffer-3-remotes.sdp", "chrome-simulcast.sdp"),
                         [](const auto& info) {
                             std::string name = info.param;
                             std::erase_if(name, [](char c) { return !std::isalnum(c); });
                             return name;
                         });

TEST(SdpAnswerTest, SendingSectionsGetRecvonlyAndOurCodecs) {
    const auto offer = offerFrom(readSdpFixture("chrome-audio-video.sdp"));
    const auto answer = answerTo(offer);
    const auto reparsed = offerFrom(answer.sdp);
    const auto& audio = reparsed.media[0];
    const auto& video = reparsed.media[1];
    EXPECT_EQ(audio.direction, SdpDirection::recvonly);
    EXPECT_EQ(video.direction, SdpDirection::recvonly);
    EXPECT_EQ(codecNames(audio), (std::vector<std::string>{"opus"}));
    EXPECT_TRUE(audio.codecs[0].feedback.empty());
    // VP8 and the H.264 variants with packetization-mode=1, each with its rtx; no VP9, AV1,
    // red, ulpfec, nor H.264 mode 0.
    ASSERT_GE(video.codecs.size(), 2u);
    EXPECT_EQ(video.codecs[0].name, "VP8");
    EXPECT_EQ(video.codecs[0].payloadType, 96);
    EXPECT_EQ(video.codecs[0].feedback,
              (std::vector<std::string>{"goog-remb", "ccm fir", "nack", "nack pli"}));
    for (const auto& codec : video.codecs) {
        EXPECT_TRUE(codec.name == "VP8" || codec.name == "H264" || codec.name == "rtx")
            << codec.name;
        if (codec.name == "H264") {
            EXPECT_EQ(codec.fmtpParameter("packetization-mode"), "1");
        }
        if (codec.name == "rtx") {
            ASSERT_TRUE(codec.repairedPayloadType());
            const auto* repaired = video.codec(*codec.repairedPayloadType());
            ASSERT_NE(repaired, nullptr);
            EXPECT_NE(repaired->name, "rtx");
        }
    }
    EXPECT_NE(video.codec(97), nullptr);  // VP8's rtx
    // Extensions we use, none we do not.
    std::vector<std::string> uris;
    for (const auto& extmap : video.extmaps) uris.push_back(extmap.uri);
    EXPECT_NE(std::find(uris.begin(), uris.end(), "urn:ietf:params:rtp-hdrext:sdes:mid"),
              uris.end());
    EXPECT_EQ(std::find(uris.begin(), uris.end(), "urn:3gpp:video-orientation"), uris.end());
    EXPECT_EQ(
        std::find(uris.begin(), uris.end(),
                  "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"),
        uris.end());
    // We declare no SSRC of ours on a section we only receive on.
    EXPECT_TRUE(video.ssrcs.empty());
    EXPECT_EQ(answer.sections[1].direction, SdpDirection::recvonly);
}

TEST(SdpAnswerTest, TransportCcOnlyWhenAskedFor) {
    const auto offer = offerFrom(readSdpFixture("chrome-audio-video.sdp"));
    auto p = parameters();
    p.transportCc = true;
    const auto answer = answerTo(offer, p);
    EXPECT_TRUE(contains(answer.sdp, "a=rtcp-fb:96 transport-cc\r\n"));
    EXPECT_TRUE(contains(answer.sdp, "a=rtcp-fb:111 transport-cc\r\n"));
    EXPECT_TRUE(contains(answer.sdp, "transport-wide-cc-extensions-01\r\n"));
}

TEST(SdpAnswerTest, TransportCcOnlyOnSectionsTheClientSendsOn) {
    // Feedback is for the publisher's send-side estimate. On what the client only receives, a
    // negotiated transport-cc would make Chrome answer with transport-cc instead of the REMB
    // the layer choice reads.
    const auto offer = offerFrom(readSdpFixture("chrome-reoffer-3-remotes.sdp"));
    auto p = parameters();
    p.transportCc = true;
    const auto answer = answerTo(offer, p);
    std::size_t sending = 0;
    for (std::size_t i = 0; i < offer.media.size(); ++i) {
        const auto& section = answer.sections[i];
        if (!section.accepted) continue;
        const bool clientSends = offer.media[i].direction == SdpDirection::sendrecv ||
                                 offer.media[i].direction == SdpDirection::sendonly;
        sending += clientSends ? 1 : 0;
        const bool extension =
            std::any_of(section.extmaps.begin(), section.extmaps.end(), [](const SdpExtmap& e) {
                return e.uri.find("transport-wide-cc") != std::string::npos;
            });
        EXPECT_EQ(extension, clientSends) << section.mid;
        const bool feedback =
            std::any_of(section.codecs.begin(), section.codecs.end(), [](const SdpCodec& c) {
                return std::count(c.feedback.begin(), c.feedback.end(), "transport-cc") > 0;
            });
        EXPECT_EQ(feedback, clientSends) << section.mid;
    }
    EXPECT_GT(sending, 0u);
}

TEST(SdpAnswerTest, RecvonlySectionsCarryTheAssignedTracks) {
    const auto offer = offerFrom(readSdpFixture("chrome-reoffer-3-remotes.sdp"));
    // The first remote participant's audio and video are assigned; the rest are not yet.
    std::vector<std::string> recvonlyMids;
    for (const auto& section : offer.media) {
        if (section.direction == SdpDirection::recvonly) recvonlyMids.push_back(section.mid);
    }
    ASSERT_EQ(recvonlyMids.size(), 6u);
    auto p = parameters();
    p.forwardedTracks.push_back({recvonlyMids[0], {"peer-a", "peer-a-audio", 1111, {}, "a"}});
    p.forwardedTracks.push_back({recvonlyMids[1], {"peer-a", "peer-a-video", 2222, 3333, "a"}});
    const auto answer = answerTo(offer, p);
    const auto reparsed = offerFrom(answer.sdp);

    const auto section = [&](const std::string& mid) -> const SdpMediaSection& {
        for (const auto& s : reparsed.media) {
            if (s.mid == mid) return s;
        }
        ADD_FAILURE() << mid;
        return reparsed.media[0];
    };
    const auto& audio = section(recvonlyMids[0]);
    EXPECT_EQ(audio.direction, SdpDirection::sendonly);
    EXPECT_EQ(audio.msidStream, "peer-a");
    EXPECT_EQ(audio.msidTrack, "peer-a-audio");
    ASSERT_EQ(audio.ssrcs.size(), 1u);
    EXPECT_EQ(audio.ssrcs[0].ssrc, 1111u);
    EXPECT_EQ(audio.ssrcs[0].cname, "a");
    EXPECT_TRUE(audio.fidGroups.empty());

    const auto& video = section(recvonlyMids[1]);
    EXPECT_EQ(video.direction, SdpDirection::sendonly);
    ASSERT_EQ(video.fidGroups.size(), 1u);
    EXPECT_EQ(video.fidGroups[0], std::make_pair(2222u, 3333u));
    EXPECT_EQ(video.ssrcs.size(), 2u);

    for (std::size_t i = 2; i < recvonlyMids.size(); ++i) {
        EXPECT_EQ(section(recvonlyMids[i]).direction, SdpDirection::inactive);
        EXPECT_TRUE(section(recvonlyMids[i]).ssrcs.empty());
        EXPECT_EQ(section(recvonlyMids[i]).port, 10000);  // kept in the bundle for reuse
    }
    // The client's own sending sections are still received.
    EXPECT_EQ(reparsed.media[0].direction, SdpDirection::recvonly);
}

TEST(SdpAnswerTest, SimulcastSendBecomesRecv) {
    const auto offer = offerFrom(readSdpFixture("chrome-simulcast.sdp"));
    const auto answer = answerTo(offer);
    EXPECT_TRUE(contains(answer.sdp,
                         "a=rid:q recv\r\na=rid:h recv\r\na=rid:f recv\r\n"
                         "a=simulcast:recv q;h;f\r\n"));
    EXPECT_FALSE(contains(answer.sdp, " send\r\n"));
    EXPECT_EQ(answer.sections[1].receiveRids, (std::vector<std::string>{"q", "h", "f"}));
    // The rid extensions are kept (with the offer's ids) so the layers can be told apart.
    EXPECT_TRUE(contains(answer.sdp, "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"));
    EXPECT_TRUE(
        contains(answer.sdp, "a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"));
}

TEST(SdpAnswerTest, DataChannelAndUnknownMediaAreRejectedWithPortZero) {
    auto text = readSdpFixture("chrome-audio-video.sdp");
    text.replace(text.find("a=group:BUNDLE 0 1"), 18, "a=group:BUNDLE 0 1 2 3");
    text +=
        "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:2\r\n"
        "a=sctp-port:5000\r\n"
        "m=text 9 UDP/TLS/RTP/SAVPF 98\r\na=mid:3\r\na=rtpmap:98 t140/1000\r\n";
    const auto answer = answerTo(offerFrom(text));
    EXPECT_TRUE(contains(answer.sdp, "m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n"));
    EXPECT_TRUE(contains(answer.sdp, "m=text 0 UDP/TLS/RTP/SAVPF 98\r\n"));
    EXPECT_TRUE(contains(answer.sdp, "a=group:BUNDLE 0 1\r\n"));
    EXPECT_FALSE(answer.sections[2].accepted);
    EXPECT_FALSE(answer.sections[3].accepted);
}

TEST(SdpAnswerTest, SectionWithoutOurCodecsIsRejected) {
    auto text = readSdpFixture("chrome-audio-video.sdp");
    // Only G.722 for audio.
    const auto start = text.find("m=audio 9 UDP/TLS/RTP/SAVPF ");
    const auto end = text.find("\r\n", start);
    text.replace(start, end - start, "m=audio 9 UDP/TLS/RTP/SAVPF 9");
    const auto answer = answerTo(offerFrom(text));
    EXPECT_FALSE(answer.sections[0].accepted);
    EXPECT_TRUE(contains(answer.sdp, "m=audio 0 UDP/TLS/RTP/SAVPF 9\r\n"));
    EXPECT_TRUE(contains(answer.sdp, "a=group:BUNDLE 1\r\n"));
}

TEST(SdpAnswerTest, OffersWeCannotAnswerAreRefused) {
    const auto base = readSdpFixture("chrome-audio-video.sdp");
    const auto replaced = [&](const std::string& from, const std::string& to) {
        std::string text = base;
        for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
            text.replace(at, from.size(), to);
            at += to.size();
        }
        return text;
    };
    EXPECT_EQ(refusal(replaced("a=setup:actpass", "a=setup:passive")), SdpErrorCode::badSetup);
    EXPECT_EQ(refusal(replaced("a=rtcp-mux\r\n", "")), SdpErrorCode::noRtcpMux);
    EXPECT_EQ(refusal(replaced("a=fingerprint:sha-256", "a=fingerprint:md5")),
              SdpErrorCode::missingFingerprint);
    EXPECT_EQ(refusal(replaced("a=ice-pwd:", "a=x-ice-pwd:")), SdpErrorCode::missingIceCredentials);
    EXPECT_EQ(refusal(replaced("a=mid:1", "a=mid:0")), SdpErrorCode::duplicateMid);
    EXPECT_EQ(refusal(replaced("a=mid:1\r\n", "")), SdpErrorCode::missingMid);
    EXPECT_EQ(refusal("v=0\r\na=group:BUNDLE 0\r\nm=application 9 UDP/DTLS/SCTP "
                      "webrtc-datachannel\r\na=mid:0\r\n"),
              SdpErrorCode::nothingToAnswer);
    EXPECT_EQ(refusal("v=0\r\n"), SdpErrorCode::nothingToAnswer);
}

TEST(SdpAnswerTest, RepeatedFeedbackIsWrittenOnce) {
    // Wildcard lines repeated (within the limit of 16 per codec): the offer may repeat itself,
    // the answer must not multiply it.
    std::string text = readSdpFixture("chrome-audio-video.sdp");
    const auto video = text.find("m=video");
    std::string lines;
    for (int i = 0; i < 10; ++i) lines += "a=rtcp-fb:* nack\r\n";
    text.insert(text.find("a=rtpmap:96 ", video), lines);
    const auto answer = answerTo(offerFrom(text));
    std::size_t nack = 0;
    for (auto at = answer.sdp.find("a=rtcp-fb:96 nack\r\n"); at != std::string::npos;
         at = answer.sdp.find("a=rtcp-fb:96 nack\r\n", at + 1)) {
        ++nack;
    }
    EXPECT_EQ(nack, 1u);
}

TEST(SdpAnswerTest, Ipv6CandidateAddress) {
    auto p = parameters();
    p.candidateAddress = "2001:db8::1";
    const auto answer = answerTo(offerFrom(readSdpFixture("chrome-audio-video.sdp")), p);
    EXPECT_TRUE(contains(answer.sdp, "c=IN IP6 2001:db8::1\r\n"));
    EXPECT_TRUE(contains(answer.sdp, " 2001:db8::1 10000 typ host\r\n"));
}

// ICE over TCP: a passive TCP host candidate on its own port, after the UDP one and below it in
// priority (a client that can use UDP prefers it); none when TCP is off.
TEST(SdpAnswerTest, TcpPassiveCandidateBelowTheUdpOne) {
    auto p = parameters();
    p.tcpCandidatePort = 10001;
    const auto sdp = answerTo(offerFrom(readSdpFixture("chrome-audio-video.sdp")), p).sdp;
    const auto udp = sdp.find("a=candidate:1 1 udp 2130706431 192.0.2.10 10000 typ host\r\n");
    const auto tcp =
        sdp.find("a=candidate:2 1 tcp 2120220671 192.0.2.10 10001 typ host tcptype passive\r\n");
    ASSERT_NE(udp, std::string::npos);
    ASSERT_NE(tcp, std::string::npos);
    EXPECT_LT(udp, tcp);
    EXPECT_LT(2120220671u, 2130706431u);
    const auto without = answerTo(offerFrom(readSdpFixture("chrome-audio-video.sdp"))).sdp;
    EXPECT_EQ(without.find(" tcp "), std::string::npos);
}

}  // namespace
}  // namespace pulsemeet::media
