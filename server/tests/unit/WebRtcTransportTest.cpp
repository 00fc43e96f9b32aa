// WebRtcTransport in memory: a test client (STUN binding requests, an OpenSSL DTLS client, SRTP
// sessions on the keys it exports) drives ICE -> DTLS -> SRTP through the transport with no
// socket, on the test's clock.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "MediaTestClient.hpp"
#include "SrtpProtect.hpp"
#include "media/DtlsCertificate.hpp"
#include "media/DtlsContext.hpp"
#include "media/RtpPacket.hpp"
#include "media/SrtpSession.hpp"
#include "media/StunMessage.hpp"
#include "media/WebRtcTransport.hpp"

namespace pulsemeet::media {
namespace {

using Clock = WebRtcTransport::Clock;
using mediatest::Bytes;
using mediatest::protect;
using mediatest::stunBindingRequest;
using mediatest::TestDtlsClient;
using namespace std::chrono_literals;

const IceCredentials kServerIce{"srvufrag", "server-password-0123456789"};
const IceCredentials kClientIce{"cliufrag", "client-password-0123456789"};

struct SentDatagram {
    Bytes bytes;
    Endpoint to;
};

// Records what is sent. With a slot size, it offers slots of that many bytes as the media
// worker's send batch does (and counts what came through one); without, only sendTo.
class RecordingSink : public DatagramSink {
  public:
    void sendTo(std::span<const std::uint8_t> datagram, const Endpoint& to) override {
        sent.push_back({Bytes(datagram.begin(), datagram.end()), to});
    }
    std::span<std::uint8_t> slotFor(const Endpoint&) override {
        slot.assign(slotBytes, 0xEE);
        return slot;
    }
    void commitSlot(std::size_t length, const Endpoint& to) override {
        ++committed;
        sent.push_back(
            {Bytes(slot.begin(), slot.begin() + static_cast<std::ptrdiff_t>(length)), to});
    }
    std::vector<SentDatagram> take() { return std::exchange(sent, {}); }
    std::vector<SentDatagram> sent;
    std::size_t slotBytes = 0;
    std::size_t committed = 0;
    Bytes slot;
};

class RecordingListener : public WebRtcTransportListener {
  public:
    void onRtp(WebRtcTransport&, std::span<std::uint8_t> packet) override {
        rtp.emplace_back(packet.begin(), packet.end());
    }
    void onRtcp(WebRtcTransport&, std::span<std::uint8_t> packet) override {
        rtcp.emplace_back(packet.begin(), packet.end());
    }
    void onStateChanged(WebRtcTransport& transport) override {
        states.push_back(transport.state());
    }
    std::vector<Bytes> rtp;
    std::vector<Bytes> rtcp;
    std::vector<WebRtcTransport::State> states;
};

Bytes rtpPacket(std::uint16_t sequence, std::uint32_t ssrc) {
    return mediatest::rtpPacket(sequence, ssrc, 40);
}

class WebRtcTransportTest : public ::testing::Test {
  protected:
    std::unique_ptr<WebRtcTransport> transport(std::optional<SdpFingerprint> fingerprint = {}) {
        return std::make_unique<WebRtcTransport>(kServerIce, kClientIce,
                                                 fingerprint.value_or(client_.fingerprint()),
                                                 context_, sink_, listener_, start_);
    }

    // A valid binding request from `from`; returns the transport's answers.
    std::vector<SentDatagram> checkIce(WebRtcTransport& transport, const Endpoint& from,
                                       Clock::time_point now, bool useCandidate = true) {
        auto request = stunBindingRequest(kServerIce.ufrag, kClientIce.ufrag, kServerIce.password,
                                          useCandidate);
        transport.receive(request, from, now);
        return sink_.take();
    }

    // Runs the DTLS handshake between the test client at `from` and the transport.
    void handshake(WebRtcTransport& transport, const Endpoint& from, Clock::time_point now) {
        for (int round = 0;
             round < 20 && transport.state() == WebRtcTransport::State::dtlsConnecting; ++round) {
            for (auto& datagram : client_.step()) transport.receive(datagram, from, now);
            for (const auto& sent : sink_.take()) {
                EXPECT_EQ(sent.to, from);
                client_.receive(sent.bytes);
            }
        }
        client_.step();
    }

    DtlsContext context_{DtlsCertificate::generate()};
    TestDtlsClient client_{"SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80"};
    RecordingSink sink_;
    RecordingListener listener_;
    Clock::time_point start_ = Clock::now();
    Endpoint clientAddress_ = Endpoint::v4({192, 0, 2, 10}, 50000);
    Endpoint stranger_ = Endpoint::v4({198, 51, 100, 7}, 40000);
};

TEST_F(WebRtcTransportTest, IceThenDtlsThenSrtpBothWays) {
    auto server = transport();
    EXPECT_EQ(server->state(), WebRtcTransport::State::waitingForIce);

    const auto answers = checkIce(*server, clientAddress_, start_);
    ASSERT_EQ(answers.size(), 1u);
    EXPECT_EQ(answers[0].to, clientAddress_);
    const auto response = StunMessage::parse(answers[0].bytes);
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->messageClass(), StunClass::success);
    EXPECT_TRUE(response->messageIntegrityValid(kServerIce.password));
    EXPECT_EQ(response->xorMappedAddress(), clientAddress_);
    EXPECT_EQ(server->state(), WebRtcTransport::State::dtlsConnecting);
    EXPECT_EQ(server->ice().selectedTuple(), clientAddress_);

    handshake(*server, clientAddress_, start_);
    ASSERT_EQ(server->state(), WebRtcTransport::State::connected) << server->dtls().failureReason();
    ASSERT_TRUE(client_.done());
    EXPECT_EQ(listener_.states, std::vector{WebRtcTransport::State::connected});

    const auto profile = server->dtls().srtpKeys()->profile;
    EXPECT_EQ(profile, SrtpProfile::aeadAes128Gcm);
    const auto clientKeys = client_.exportKeys(profile);
    auto clientOut =
        SrtpSession::create(profile, clientKeys.localKeySalt, SrtpSession::Direction::outbound);
    auto clientIn =
        SrtpSession::create(profile, clientKeys.remoteKeySalt, SrtpSession::Direction::inbound);
    ASSERT_TRUE(clientOut && clientIn);

    // Client -> server: the listener sees the plain packet.
    const Bytes upstream = rtpPacket(1, 0x11111111);
    auto wire = protect(*clientOut, upstream);
    server->receive(wire, clientAddress_, start_);
    ASSERT_EQ(listener_.rtp.size(), 1u);
    EXPECT_EQ(listener_.rtp[0], upstream);

    // RTCP too (a receiver report).
    const Bytes report = {0x80, 0xc9, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef};
    auto rtcpWire = protect(*clientOut, report, true);
    server->receive(rtcpWire, clientAddress_, start_);
    ASSERT_EQ(listener_.rtcp.size(), 1u);
    EXPECT_EQ(listener_.rtcp[0], report);

    // Server -> client: sendRtp protects it for the selected tuple, and the input is untouched.
    const Bytes downstream = rtpPacket(7, 0x22222222);
    ASSERT_TRUE(server->sendRtp(downstream));
    auto sent = sink_.take();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].to, clientAddress_);
    EXPECT_NE(sent[0].bytes, downstream);
    const auto plain = clientIn->unprotectRtp(sent[0].bytes);
    ASSERT_EQ(plain.status, SrtpStatus::ok);
    EXPECT_EQ(Bytes(sent[0].bytes.begin(), sent[0].bytes.begin() + plain.length), downstream);

    EXPECT_EQ(server->counters().rtpReceived, 1u);
    EXPECT_EQ(server->counters().rtcpReceived, 1u);
    EXPECT_EQ(server->counters().rtpSent, 1u);
    EXPECT_EQ(server->counters().droppedOther, 0u);
    EXPECT_EQ(server->counters().droppedUnvalidatedTuple, 0u);
}

TEST_F(WebRtcTransportTest, SrtpIsProtectedStraightIntoTheSinksSlot) {
    // The media worker's UDP batch offers a slot: RTP and RTCP are protected into it from the
    // caller's buffer, and the client unprotects them. A slot without room for the packet and
    // its tag is not used: the packet goes through sendTo as before.
    auto server = transport();
    checkIce(*server, clientAddress_, start_);
    handshake(*server, clientAddress_, start_);
    ASSERT_EQ(server->state(), WebRtcTransport::State::connected);
    const auto profile = server->dtls().srtpKeys()->profile;
    auto clientIn = SrtpSession::create(profile, client_.exportKeys(profile).remoteKeySalt,
                                        SrtpSession::Direction::inbound);
    ASSERT_TRUE(clientIn);

    sink_.slotBytes = 2048;
    const Bytes downstream = rtpPacket(7, 0x22222222);
    const Bytes report = {0x80, 0xc9, 0x00, 0x01, 0x22, 0x22, 0x22, 0x22};
    ASSERT_TRUE(server->sendRtp(downstream));
    ASSERT_TRUE(server->sendRtcp(report));
    EXPECT_EQ(sink_.committed, 2u);
    sink_.slotBytes = downstream.size() + 20;  // room for the tag, not for the most SRTP adds
    const Bytes another = rtpPacket(8, 0x22222222);
    ASSERT_TRUE(server->sendRtp(another));
    EXPECT_EQ(sink_.committed, 2u);

    auto sent = sink_.take();
    ASSERT_EQ(sent.size(), 3u);
    const std::vector<Bytes> expected = {downstream, report, another};
    for (std::size_t i = 0; i < sent.size(); ++i) {
        EXPECT_EQ(sent[i].to, clientAddress_);
        const bool rtcp = i == 1;
        const auto plain =
            rtcp ? clientIn->unprotectRtcp(sent[i].bytes) : clientIn->unprotectRtp(sent[i].bytes);
        ASSERT_EQ(plain.status, SrtpStatus::ok) << i;
        EXPECT_EQ(Bytes(sent[i].bytes.begin(),
                        sent[i].bytes.begin() + static_cast<std::ptrdiff_t>(plain.length)),
                  expected[i]);
    }
    EXPECT_EQ(server->counters().rtpSent, 2u);
    EXPECT_EQ(server->counters().rtcpSent, 1u);
}

TEST_F(WebRtcTransportTest, DtlsFromAnUncheckedAddressIsDroppedAndCounted) {
    auto server = transport();
    const auto hello = client_.step();
    ASSERT_EQ(hello.size(), 1u);
    auto copy = hello[0];
    server->receive(copy, clientAddress_, start_);  // before any binding request
    EXPECT_EQ(server->counters().droppedUnvalidatedTuple, 1u);
    EXPECT_EQ(server->counters().dtlsHandled, 0u);
    EXPECT_EQ(server->dtls().counters().datagramsReceived, 0u);
    EXPECT_TRUE(sink_.sent.empty());

    checkIce(*server, clientAddress_, start_);
    copy = hello[0];
    server->receive(copy, stranger_, start_);  // the client's tuple is checked, this one is not
    EXPECT_EQ(server->counters().droppedUnvalidatedTuple, 2u);
    EXPECT_TRUE(sink_.sent.empty());

    copy = hello[0];
    server->receive(copy, clientAddress_, start_);
    EXPECT_EQ(server->counters().dtlsHandled, 1u);
    EXPECT_FALSE(sink_.sent.empty());  // the server's flight, to the checked tuple
}

TEST_F(WebRtcTransportTest, GarbageAndEarlyOrForgedSrtpAreCounted) {
    auto server = transport();
    checkIce(*server, clientAddress_, start_);
    Bytes garbage = {0x42, 0x13, 0x37, 0x00, 0x01};
    server->receive(garbage, clientAddress_, start_);
    Bytes empty;
    server->receive(empty, clientAddress_, start_);
    auto early = rtpPacket(1, 1);  // RTP before DTLS is done: no keys yet
    server->receive(early, clientAddress_, start_);
    EXPECT_EQ(server->counters().droppedOther, 3u);

    handshake(*server, clientAddress_, start_);
    ASSERT_EQ(server->state(), WebRtcTransport::State::connected);
    auto forged = rtpPacket(2, 1);  // plain RTP: fails authentication
    forged.resize(forged.size() + 16, 0xAB);
    server->receive(forged, clientAddress_, start_);
    EXPECT_EQ(server->counters().srtpUnprotectFailed, 1u);
    EXPECT_EQ(server->counters().droppedOther, 4u);
    EXPECT_TRUE(listener_.rtp.empty());
    // A STUN-looking packet with a broken body goes to ICE-lite, which counts it.
    Bytes badStun = stunBindingRequest(kServerIce.ufrag, kClientIce.ufrag, "wrong-password", true);
    server->receive(badStun, clientAddress_, start_);
    EXPECT_EQ(server->ice().counters().unauthorized, 1u);
}

TEST_F(WebRtcTransportTest, SendingBeforeConnectedIsRefused) {
    auto server = transport();
    checkIce(*server, clientAddress_, start_);
    EXPECT_FALSE(server->sendRtp(rtpPacket(1, 1)));
    EXPECT_EQ(server->counters().sendDropped, 1u);
    EXPECT_TRUE(sink_.sent.empty());
}

TEST_F(WebRtcTransportTest, ConsentExpiryCloses) {
    auto server = transport();
    checkIce(*server, clientAddress_, start_);
    handshake(*server, clientAddress_, start_);
    ASSERT_EQ(server->state(), WebRtcTransport::State::connected);

    // Consent refreshed at 20 s keeps it alive past 30 s from the first check.
    checkIce(*server, clientAddress_, start_ + 20s, false);
    for (auto t = start_; t <= start_ + 49s; t += 1s) server->tick(t);
    EXPECT_EQ(server->state(), WebRtcTransport::State::connected);

    for (auto t = start_ + 49s; t <= start_ + 51s; t += 1s) server->tick(t);
    EXPECT_EQ(server->state(), WebRtcTransport::State::closed);
    EXPECT_EQ(server->closeReason(), WebRtcTransport::CloseReason::consentLost);
    EXPECT_EQ(listener_.states.back(), WebRtcTransport::State::closed);
    EXPECT_FALSE(server->nextTimeout(start_ + 51s).has_value());
    EXPECT_FALSE(server->sendRtp(rtpPacket(1, 1)));
}

TEST_F(WebRtcTransportTest, NoHandshakeByTheDeadlineCloses) {
    auto server = transport();
    // The first timer is the consent check, well before the handshake deadline.
    ASSERT_TRUE(server->nextTimeout(start_).has_value());
    EXPECT_EQ(*server->nextTimeout(start_), start_ + 1s);
    checkIce(*server, clientAddress_, start_);  // ICE works, DTLS never starts
    for (auto t = start_; server->state() != WebRtcTransport::State::closed && t < start_ + 60s;
         t = *server->nextTimeout(t))
        server->tick(t);
    EXPECT_EQ(server->closeReason(), WebRtcTransport::CloseReason::handshakeTimeout);
}

TEST_F(WebRtcTransportTest, WrongFingerprintCloses) {
    TestDtlsClient someoneElse("SRTP_AEAD_AES_128_GCM");
    auto server = transport(someoneElse.fingerprint());
    checkIce(*server, clientAddress_, start_);
    handshake(*server, clientAddress_, start_);
    EXPECT_EQ(server->state(), WebRtcTransport::State::closed);
    EXPECT_EQ(server->closeReason(), WebRtcTransport::CloseReason::dtlsFailed);
}

TEST_F(WebRtcTransportTest, AWaitingDtlsRetransmissionComesBeforeTheConsentCheck) {
    auto server = transport();
    checkIce(*server, clientAddress_, start_);
    for (auto& datagram : client_.step()) server->receive(datagram, clientAddress_, start_);
    ASSERT_FALSE(sink_.take().empty());  // the server's first flight
    // OpenSSL keeps the retransmission timer on its own clock (100 ms, doubling); the transport
    // reports it in the owner's time so that the worker's timer fires for it.
    const auto next = server->nextTimeout(start_);
    ASSERT_TRUE(next.has_value());
    EXPECT_LT(*next, start_ + 1s);
}

}  // namespace
}  // namespace pulsemeet::media
