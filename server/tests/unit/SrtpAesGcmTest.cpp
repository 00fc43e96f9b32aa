// Our AES-GCM SRTP (SrtpAesGcm behind SrtpSession) against software we did not write: what we
// protect, Debian's libsrtp2 unprotects, and the other way round, for RTP and RTCP, both key
// sizes, across a sequence-number wrap (ROC 0 -> 1); tampering and replays are refused. The key
// derivation is checked against RFC 3711's own test vector, the ROC estimation and the replay
// window on their own.
#include <gtest/gtest.h>
#include <srtp2/srtp.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "HexBytes.hpp"
#include "SrtpProtect.hpp"
#include "media/SrtpKeyDerivation.hpp"
#include "media/SrtpReplayWindow.hpp"
#include "media/SrtpSession.hpp"

namespace pulsemeet::media {
namespace {

using Bytes = std::vector<std::uint8_t>;
using mediatest::protect;

Bytes hex(std::string_view text) {
    return mediatest::hexBytes(text);
}

Bytes keyFor(SrtpProfile profile, std::uint8_t seed) {
    const auto [key, salt] = srtpKeyLengths(profile);
    Bytes bytes(key + salt);
    std::iota(bytes.begin(), bytes.end(), seed);
    return bytes;
}

constexpr std::uint32_t kSsrc = 0x11223344;

// An RTP packet with, every third sequence number, two CSRCs and a one-byte header extension, so
// that the authenticated header is not always 12 bytes.
Bytes rtpPacket(std::uint16_t sequence, std::size_t payloadBytes = 1200) {
    const bool extended = sequence % 3 == 0;
    Bytes packet = {static_cast<std::uint8_t>(extended ? 0x92 : 0x80),
                    0x60,
                    static_cast<std::uint8_t>(sequence >> 8),
                    static_cast<std::uint8_t>(sequence),
                    0x00,
                    0x01,
                    static_cast<std::uint8_t>(sequence >> 8),
                    static_cast<std::uint8_t>(sequence),
                    0x11,
                    0x22,
                    0x33,
                    0x44};
    if (extended) {
        for (std::uint8_t byte : {0xAA, 0xAA, 0xAA, 0x01, 0xBB, 0xBB, 0xBB, 0x02})
            packet.push_back(byte);  // two CSRCs
        for (std::uint8_t byte : {0xBE, 0xDE, 0x00, 0x01, 0x10, 0x7F, 0x00, 0x00})
            packet.push_back(byte);  // RFC 8285 one-byte extensions, one element
    }
    for (std::size_t i = 0; i < payloadBytes; ++i)
        packet.push_back(static_cast<std::uint8_t>(i * 7 + sequence));
    return packet;
}

// A sender report with one report block (52 bytes).
Bytes rtcpPacket(std::uint8_t variant) {
    Bytes packet = {0x81, 0xc8, 0x00, 0x0c, 0x11, 0x22, 0x33, 0x44};
    for (std::uint8_t i = 0; i < 44; ++i) packet.push_back(static_cast<std::uint8_t>(i + variant));
    return packet;
}

// libsrtp's srtp_init may run once per process only (a second call fails), and SrtpSession makes
// that call for its AES-CM profile: a session of that profile initialises libsrtp for both.
void initialiseLibsrtp() {
    EXPECT_TRUE(SrtpSession::create(SrtpProfile::aes128CmHmacSha1_80,
                                    keyFor(SrtpProfile::aes128CmHmacSha1_80, 0),
                                    SrtpSession::Direction::inbound));
}

// libsrtp2 as a browser uses it: the same policy our SrtpSession had on libsrtp.
class Libsrtp {
  public:
    Libsrtp(SrtpProfile profile, const Bytes& keyAndSalt, bool inbound) {
        initialiseLibsrtp();
        srtp_policy_t policy{};
        if (profile == SrtpProfile::aeadAes128Gcm) {
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
        } else {
            srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtp);
            srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtcp);
        }
        policy.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
        Bytes key = keyAndSalt;
        policy.key = key.data();
        policy.window_size = 1024;
        policy.allow_repeat_tx = 1;
        srtp_t session = nullptr;
        EXPECT_EQ(srtp_create(&session, &policy), srtp_err_status_ok);
        session_.reset(session);
    }

    Bytes protect(const Bytes& plain, bool rtcp = false) {
        Bytes buffer(plain.size() + SRTP_MAX_TRAILER_LEN + 4);
        std::copy(plain.begin(), plain.end(), buffer.begin());
        int size = static_cast<int>(plain.size());
        const auto status = rtcp ? srtp_protect_rtcp(session_.get(), buffer.data(), &size)
                                 : srtp_protect(session_.get(), buffer.data(), &size);
        EXPECT_EQ(status, srtp_err_status_ok);
        buffer.resize(status == srtp_err_status_ok ? static_cast<std::size_t>(size) : 0);
        return buffer;
    }

    // The plain packet, or the status libsrtp refused it with.
    srtp_err_status_t unprotect(Bytes& packet, bool rtcp = false) {
        int size = static_cast<int>(packet.size());
        const auto status = rtcp ? srtp_unprotect_rtcp(session_.get(), packet.data(), &size)
                                 : srtp_unprotect(session_.get(), packet.data(), &size);
        if (status == srtp_err_status_ok) packet.resize(static_cast<std::size_t>(size));
        return status;
    }

  private:
    struct Free {
        void operator()(srtp_t session) const { srtp_dealloc(session); }
    };
    std::unique_ptr<srtp_ctx_t_, Free> session_;
};

SrtpResult unprotect(SrtpSession& session, Bytes& packet, bool rtcp = false) {
    const auto result = rtcp ? session.unprotectRtcp(packet) : session.unprotectRtp(packet);
    if (result.status == SrtpStatus::ok) packet.resize(result.length);
    return result;
}

// 65000 .. 65535, then 0 .. 600 with ROC 1: the wrap is inside.
std::vector<std::uint16_t> sequencesAcrossTheWrap() {
    std::vector<std::uint16_t> sequences;
    for (std::uint32_t n = 65000; n < 65536 + 600; ++n)
        sequences.push_back(static_cast<std::uint16_t>(n));
    return sequences;
}

class SrtpAesGcmTest : public ::testing::TestWithParam<SrtpProfile> {
  protected:
    SrtpSession ours(SrtpSession::Direction direction) {
        auto made = SrtpSession::create(GetParam(), key_, direction);
        EXPECT_TRUE(made.has_value());
        return std::move(*made);
    }
    Libsrtp theirs(bool inbound) { return Libsrtp(GetParam(), key_, inbound); }

    Bytes key_ = keyFor(GetParam(), 3);
};

TEST_P(SrtpAesGcmTest, LibsrtpUnprotectsOurRtpAcrossTheWrap) {
    auto sender = ours(SrtpSession::Direction::outbound);
    auto receiver = theirs(true);
    for (const auto sequence : sequencesAcrossTheWrap()) {
        const auto plain = rtpPacket(sequence);
        auto packet = protect(sender, plain);
        ASSERT_EQ(packet.size(), plain.size() + 16);
        ASSERT_EQ(receiver.unprotect(packet), srtp_err_status_ok) << sequence;
        ASSERT_EQ(packet, plain) << sequence;
    }
}

TEST_P(SrtpAesGcmTest, WeUnprotectLibsrtpRtpAcrossTheWrap) {
    auto sender = theirs(false);
    auto receiver = ours(SrtpSession::Direction::inbound);
    for (const auto sequence : sequencesAcrossTheWrap()) {
        const auto plain = rtpPacket(sequence);
        auto packet = sender.protect(plain);
        ASSERT_EQ(unprotect(receiver, packet).status, SrtpStatus::ok) << sequence;
        ASSERT_EQ(packet, plain) << sequence;
    }
}

TEST_P(SrtpAesGcmTest, RetransmissionOnTheOriginalSsrcAfterTheWrapKeepsItsRoc) {
    // Sequence 65530 resent after 10 (ROC 1): it is still ROC 0's packet, and libsrtp's receiver
    // (which lost it the first time) takes it.
    auto sender = ours(SrtpSession::Direction::outbound);
    auto receiver = theirs(true);
    Bytes lost;
    for (const auto sequence : sequencesAcrossTheWrap()) {
        auto packet = protect(sender, rtpPacket(sequence));
        if (sequence == 65530) continue;  // lost on the way
        ASSERT_EQ(receiver.unprotect(packet), srtp_err_status_ok);
        if (sequence == 10) break;
    }
    auto resent = protect(sender, rtpPacket(65530));
    ASSERT_EQ(receiver.unprotect(resent), srtp_err_status_ok);
    EXPECT_EQ(resent, rtpPacket(65530));
}

TEST_P(SrtpAesGcmTest, RtcpBothWays) {
    auto ourSender = ours(SrtpSession::Direction::outbound);
    auto ourReceiver = ours(SrtpSession::Direction::inbound);
    auto theirSender = theirs(false);
    auto theirReceiver = theirs(true);
    for (std::uint8_t variant = 0; variant < 20; ++variant) {
        auto packet = protect(ourSender, rtcpPacket(variant), true);
        ASSERT_EQ(packet.size(), rtcpPacket(variant).size() + 16 + 4);
        ASSERT_EQ(theirReceiver.unprotect(packet, true), srtp_err_status_ok);
        EXPECT_EQ(packet, rtcpPacket(variant));
        auto back = theirSender.protect(rtcpPacket(variant), true);
        ASSERT_EQ(unprotect(ourReceiver, back, true).status, SrtpStatus::ok);
        EXPECT_EQ(back, rtcpPacket(variant));
    }
}

TEST_P(SrtpAesGcmTest, OutOfPlaceProtectWritesWhatInPlaceWouldAndLibsrtpUnprotectsIt) {
    // The transport protects a forwarded packet from the consumer's buffer straight into the
    // datagram it sends: the same bytes as protecting a copy in place, the input left as it was,
    // nothing written past the protected packet; RTP (headers with and without CSRCs and
    // extensions) and RTCP, across the wrap.
    auto inPlace = ours(SrtpSession::Direction::outbound);
    auto outOfPlace = ours(SrtpSession::Direction::outbound);
    auto receiver = theirs(true);
    for (const auto sequence : sequencesAcrossTheWrap()) {
        const bool rtcp = sequence % 4 == 0;
        const auto plain =
            rtcp ? rtcpPacket(static_cast<std::uint8_t>(sequence)) : rtpPacket(sequence);
        const auto expected = protect(inPlace, plain, rtcp);
        const std::span<const std::uint8_t> input(plain);
        Bytes out(plain.size() + SrtpSession::kMaxProtectOverhead, 0xEE);
        const auto result =
            rtcp ? outOfPlace.protectRtcp(input, out) : outOfPlace.protectRtp(input, out);
        ASSERT_EQ(result.status, SrtpStatus::ok) << sequence;
        EXPECT_TRUE(std::all_of(out.begin() + static_cast<std::ptrdiff_t>(result.length), out.end(),
                                [](std::uint8_t byte) { return byte == 0xEE; }));
        out.resize(result.length);
        ASSERT_EQ(out, expected) << sequence;
        ASSERT_EQ(plain,
                  rtcp ? rtcpPacket(static_cast<std::uint8_t>(sequence)) : rtpPacket(sequence));
        ASSERT_EQ(receiver.unprotect(out, rtcp), srtp_err_status_ok) << sequence;
        ASSERT_EQ(out, plain) << sequence;
    }
}

TEST_P(SrtpAesGcmTest, APacketInTwoPiecesIsSealedFromWhereTheyLie) {
    // A forwarded packet: the header the consumer wrote (and a VP8 descriptor it may have
    // rewritten) in one piece, the payload in the publisher's packet (SplitRtpPacket.hpp). The
    // bytes of protecting the whole, which libsrtp unprotects, across the wrap; a header cut
    // between the pieces is refused, nothing written.
    auto whole = ours(SrtpSession::Direction::outbound);
    auto split = ours(SrtpSession::Direction::outbound);
    auto receiver = theirs(true);
    for (const auto sequence : sequencesAcrossTheWrap()) {
        const auto plain = rtpPacket(sequence);
        const std::size_t header = sequence % 3 == 0 ? 12 + 8 + 8 : 12;
        const std::size_t frontSize = header + sequence % 7;  // 0-6 bytes of payload with it
        const auto expected = protect(whole, plain);
        const std::span<const std::uint8_t> bytes(plain);
        Bytes out(plain.size() + SrtpSession::kMaxProtectOverhead, 0xEE);
        const auto result =
            split.protectRtp(SplitRtpPacket{bytes.first(frontSize), bytes.subspan(frontSize)}, out);
        ASSERT_EQ(result.status, SrtpStatus::ok) << sequence;
        EXPECT_TRUE(std::all_of(out.begin() + static_cast<std::ptrdiff_t>(result.length), out.end(),
                                [](std::uint8_t byte) { return byte == 0xEE; }));
        out.resize(result.length);
        ASSERT_EQ(out, expected) << sequence;
        ASSERT_EQ(receiver.unprotect(out, false), srtp_err_status_ok) << sequence;
        ASSERT_EQ(out, plain) << sequence;
    }
    const auto extended = rtpPacket(3);  // CSRCs and an extension: a 28-byte header
    const std::span<const std::uint8_t> bytes(extended);
    Bytes out(extended.size() + SrtpSession::kMaxProtectOverhead, 0xEE);
    EXPECT_NE(split.protectRtp(SplitRtpPacket{bytes.first(20), bytes.subspan(20)}, out).status,
              SrtpStatus::ok);
    EXPECT_TRUE(
        std::all_of(out.begin(), out.end(), [](std::uint8_t byte) { return byte == 0xEE; }));
}

// The packet with another SSRC (RTP: bytes 8-11; RTCP: the sender SSRC, bytes 4-7).
Bytes withSsrc(Bytes packet, std::uint32_t ssrc, bool rtcp = false) {
    const std::size_t at = rtcp ? 4 : 8;
    for (std::size_t i = 0; i < 4; ++i)
        packet[at + i] = static_cast<std::uint8_t>(ssrc >> (24 - 8 * i));
    return packet;
}

TEST_P(SrtpAesGcmTest, ManyInterleavedSsrcsEachKeepTheirOwnState) {
    // A subscriber's session carries every stream it is sent, interleaved; here 40 (more than
    // the recently used SSRCs the session finds without hashing), each at its own place in the
    // sequence space, several crossing the wrap while others do not: any mix-up of one SSRC's
    // state with another's shows as a wrong ROC (authentication fails) or a replay. Both
    // directions against libsrtp2, RTCP too, and a replay of one stream is still refused.
    constexpr std::uint32_t kStreams = 40;
    auto ourSender = ours(SrtpSession::Direction::outbound);
    auto ourReceiver = ours(SrtpSession::Direction::inbound);
    auto theirSender = theirs(false);
    auto theirReceiver = theirs(true);
    const auto ssrcOf = [](std::uint32_t stream) { return 0x5000 + stream * 0x01010101U; };
    std::vector<Bytes> accepted(kStreams);
    for (std::uint32_t packet = 0; packet < 60; ++packet) {
        for (std::uint32_t i = 0; i < kStreams; ++i) {
            const auto stream = packet % 2 == 0 ? i : kStreams - 1 - i;
            const auto sequence = static_cast<std::uint16_t>(65536 - 30 * stream + packet);
            const auto plain = withSsrc(rtpPacket(sequence, 40), ssrcOf(stream));
            auto down = protect(ourSender, plain);
            ASSERT_EQ(theirReceiver.unprotect(down), srtp_err_status_ok) << stream << " " << packet;
            ASSERT_EQ(down, plain);
            auto up = theirSender.protect(plain);
            accepted[stream] = up;
            ASSERT_EQ(unprotect(ourReceiver, up).status, SrtpStatus::ok) << stream << " " << packet;
            ASSERT_EQ(up, plain);
            if (packet % 10 != 0) continue;
            const auto report =
                withSsrc(rtcpPacket(static_cast<std::uint8_t>(packet)), ssrcOf(stream), true);
            auto rtcpDown = protect(ourSender, report, true);
            ASSERT_EQ(theirReceiver.unprotect(rtcpDown, true), srtp_err_status_ok) << stream;
            auto rtcpUp = theirSender.protect(report, true);
            ASSERT_EQ(unprotect(ourReceiver, rtcpUp, true).status, SrtpStatus::ok) << stream;
        }
    }
    for (std::uint32_t stream = 0; stream < kStreams; stream += 7)
        EXPECT_EQ(unprotect(ourReceiver, accepted[stream]).status, SrtpStatus::replayed) << stream;
}

TEST_P(SrtpAesGcmTest, TamperedRtpIsRefused) {
    auto sender = theirs(false);
    auto receiver = ours(SrtpSession::Direction::inbound);
    const auto sealed = sender.protect(rtpPacket(3));  // with CSRCs and an extension
    for (const std::size_t at : {1UL, 3UL, 9UL, 20UL, 30UL, 40UL, sealed.size() - 1}) {
        auto packet = sealed;
        packet[at] ^= 0x01;  // header, CSRC, extension, payload, tag
        EXPECT_EQ(unprotect(receiver, packet).status, SrtpStatus::authenticationFailed) << at;
    }
    auto intact = sealed;
    EXPECT_EQ(unprotect(receiver, intact).status, SrtpStatus::ok);  // nothing was kept
}

TEST_P(SrtpAesGcmTest, TamperedRtcpIsRefused) {
    auto sender = theirs(false);
    auto receiver = ours(SrtpSession::Direction::inbound);
    const auto sealed = sender.protect(rtcpPacket(1), true);
    for (const std::size_t at : {1UL, 5UL, 20UL, sealed.size() - 5, sealed.size() - 1}) {
        auto packet = sealed;
        packet[at] ^= 0x01;  // header, SSRC, body, tag, index
        EXPECT_EQ(unprotect(receiver, packet, true).status, SrtpStatus::authenticationFailed) << at;
    }
    auto unencrypted = sealed;
    unencrypted[sealed.size() - 4] &= 0x7F;  // the E flag cleared
    EXPECT_EQ(unprotect(receiver, unencrypted, true).status, SrtpStatus::authenticationFailed);
}

TEST_P(SrtpAesGcmTest, ReplaysAreRefusedReorderingIsNot) {
    auto sender = theirs(false);
    auto receiver = ours(SrtpSession::Direction::inbound);
    std::vector<Bytes> sealed;
    for (std::uint16_t sequence = 100; sequence < 1300; ++sequence)
        sealed.push_back(sender.protect(rtpPacket(sequence, 20)));
    auto late = sealed[1100];  // 1200 is delivered before it, 1100 is within the window
    for (std::size_t i = 0; i < sealed.size(); ++i) {
        if (i == 1100) continue;
        auto packet = sealed[i];
        ASSERT_EQ(unprotect(receiver, packet).status, SrtpStatus::ok) << i;
    }
    EXPECT_EQ(unprotect(receiver, late).status, SrtpStatus::ok);
    auto again = sealed[1199];
    EXPECT_EQ(unprotect(receiver, again).status, SrtpStatus::replayed);
    auto old = sealed[0];  // 1199 behind the highest: outside the 1024-packet window
    EXPECT_EQ(unprotect(receiver, old).status, SrtpStatus::replayed);

    auto rtcpSender = theirs(false);
    const auto report = rtcpSender.protect(rtcpPacket(0), true);
    auto first = report;
    ASSERT_EQ(unprotect(receiver, first, true).status, SrtpStatus::ok);
    auto second = report;
    EXPECT_EQ(unprotect(receiver, second, true).status, SrtpStatus::replayed);
}

TEST_P(SrtpAesGcmTest, AForgedPacketLeavesNoStreamBehind) {
    // A forged packet of an unknown SSRC with a high sequence number must not move that SSRC's
    // window (had it, sequence 5 would be taken for the next ROC): the real packets that follow
    // are still taken.
    auto forger = theirs(false);
    auto forged = forger.protect(rtpPacket(60000, 20));
    forged.back() ^= 0x01;
    auto receiver = ours(SrtpSession::Direction::inbound);
    EXPECT_EQ(unprotect(receiver, forged).status, SrtpStatus::authenticationFailed);
    auto sender = theirs(false);
    auto real = sender.protect(rtpPacket(5, 20));
    EXPECT_EQ(unprotect(receiver, real).status, SrtpStatus::ok);
}

TEST_P(SrtpAesGcmTest, AnotherKeyIsRefused) {
    auto sender = Libsrtp(GetParam(), keyFor(GetParam(), 9), false);
    auto receiver = ours(SrtpSession::Direction::inbound);
    auto packet = sender.protect(rtpPacket(1));
    EXPECT_EQ(unprotect(receiver, packet).status, SrtpStatus::authenticationFailed);
}

TEST_P(SrtpAesGcmTest, MalformedHeadersAreRefused) {
    auto receiver = ours(SrtpSession::Direction::inbound);
    Bytes cut = rtpPacket(3, 0);  // claims an extension, ends inside it once the tag is counted
    cut.resize(12 + 8 + 16);
    EXPECT_NE(unprotect(receiver, cut).status, SrtpStatus::ok);
    Bytes tiny(20, 0x80);
    EXPECT_EQ(unprotect(receiver, tiny).status, SrtpStatus::bufferTooSmall);
    Bytes shortRtcp(27, 0x80);
    EXPECT_EQ(unprotect(receiver, shortRtcp, true).status, SrtpStatus::bufferTooSmall);
}

INSTANTIATE_TEST_SUITE_P(Profiles, SrtpAesGcmTest,
                         ::testing::Values(SrtpProfile::aeadAes128Gcm, SrtpProfile::aeadAes256Gcm),
                         [](const auto& info) {
                             return std::string(info.param == SrtpProfile::aeadAes128Gcm
                                                    ? "AesGcm128"
                                                    : "AesGcm256");
                         });

TEST(SrtpKeyDerivationTest, Rfc3711TestVector) {
    // RFC 3711 appendix B.3.
    const auto masterKey = hex("E1F97A0D3E018BE0D64FA32C06DE4139");
    const auto masterSalt = hex("0EC675AD498AFEEBB6960B3AABE6");
    EXPECT_EQ(deriveSrtpKey(masterKey, masterSalt, SrtpKeyLabel::rtpEncryption, 16),
              hex("C61E7A93744F39EE10734AFE3FF7A087"));
    EXPECT_EQ(deriveSrtpKey(masterKey, masterSalt, SrtpKeyLabel::rtpSalt, 14),
              hex("30CBBC08863D8C85D49DB34A9AE1"));
    EXPECT_EQ(deriveSrtpKey(masterKey, masterSalt, SrtpKeyLabel::rtpAuthentication, 20),
              hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"));
    EXPECT_FALSE(deriveSrtpKey(hex("E1F97A0D"), masterSalt, SrtpKeyLabel::rtpSalt, 14));
}

TEST(SrtpIndexEstimateTest, RolloverCounterFollowsTheWrap) {
    EXPECT_EQ(estimateSrtpIndex(0, 40000), 40000U);        // a new stream starts at ROC 0
    EXPECT_EQ(estimateSrtpIndex(65535, 2), 0x10002U);      // just after the wrap
    EXPECT_EQ(estimateSrtpIndex(0x10002, 65530), 65530U);  // a late one from before it
    EXPECT_EQ(estimateSrtpIndex(0x10000 + 40000, 1000), 0x20000U + 1000);
    EXPECT_EQ(estimateSrtpIndex(0x50000 + 100, 60000), 0x40000U + 60000);
    EXPECT_EQ(estimateSrtpIndex(0x50000 + 100, 200), 0x50000U + 200);
}

TEST(SrtpReplayWindowTest, SeenTooOldAndFresh) {
    SrtpReplayWindow window;
    window.accept(5000);
    EXPECT_EQ(window.check(5000), SrtpReplayWindow::Verdict::repeated);
    EXPECT_EQ(window.check(4999), SrtpReplayWindow::Verdict::fresh);
    EXPECT_EQ(window.check(5000 - 1024), SrtpReplayWindow::Verdict::tooOld);
    window.accept(4999);
    EXPECT_EQ(window.check(4999), SrtpReplayWindow::Verdict::repeated);
    window.accept(5000 + 1023);  // 4999 falls out, 5000 is the oldest inside
    EXPECT_EQ(window.check(4999), SrtpReplayWindow::Verdict::tooOld);
    EXPECT_EQ(window.check(5000), SrtpReplayWindow::Verdict::repeated);
    EXPECT_EQ(window.check(5001), SrtpReplayWindow::Verdict::fresh);  // skipped, not seen
    window.accept(100000);  // a jump past the whole window forgets it
    EXPECT_EQ(window.check(99999), SrtpReplayWindow::Verdict::fresh);
    EXPECT_EQ(window.check(100000 - 1024 + 1), SrtpReplayWindow::Verdict::fresh);
}

}  // namespace
}  // namespace pulsemeet::media
