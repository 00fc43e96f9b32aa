// MediaWorker over real UDP on 127.0.0.1: a test client with its own socket does what a browser
// does (STUN binding request, DTLS handshake as client, SRTP) against a worker on a port the
// kernel chose, and a listener that echoes RTP back proves both directions end to end.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "ConnectedUdpSocket.hpp"
#include "DtlsSrtpClient.hpp"
#include "MediaTestClient.hpp"
#include "media/MediaWorker.hpp"
#include "media/RtpPacket.hpp"
#include "media/SrtpSession.hpp"
#include "media/StunMessage.hpp"

namespace pulsemeet::media {
namespace {

using mediatest::Bytes;
using mediatest::ConnectedUdpSocket;
using mediatest::DtlsSrtpClient;
using mediatest::stunBindingRequest;
using mediatest::TestDtlsClient;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kEchoSsrc = 0xEC0EC0EC;

// Echoes every RTP packet back to its sender with the SSRC rewritten, as forwarding will.
class EchoListener : public WebRtcTransportListener {
  public:
    void onRtp(WebRtcTransport& transport, std::span<std::uint8_t> packet) override {
        auto rtp = RtpPacket::parse(packet);
        if (!rtp) return;
        rtp->setSsrc(kEchoSsrc);
        transport.sendRtp(packet);
    }
    void onRtcp(WebRtcTransport&, std::span<std::uint8_t>) override {}
    void onStateChanged(WebRtcTransport& transport) override {
        if (transport.state() == WebRtcTransport::State::connected) connected = true;
    }
    std::atomic<bool> connected{false};
};

template <typename T>
T waitFor(std::future<T>& future) {
    if (future.wait_for(5s) != std::future_status::ready)
        throw std::runtime_error("the media thread did not answer within 5 s");
    return future.get();
}

MediaWorker::Stats statsOf(MediaWorker& worker) {
    std::promise<MediaWorker::Stats> promise;
    auto future = promise.get_future();
    worker.stats([&promise](MediaWorker::Stats stats) { promise.set_value(stats); });
    return waitFor(future);
}

TEST(MediaWorkerTest, StunDtlsSrtpEchoOverRealUdp) {
    MediaWorker::Options options;
    options.bindAddress = "127.0.0.1";
    options.port = 0;
    MediaWorker worker(options);
    ASSERT_NE(worker.port(), 0);

    DtlsSrtpClient session;
    auto listener = std::make_shared<EchoListener>();
    const IceCredentials clientIce{"cliufrag", "client-password-0123456789"};
    std::promise<MediaWorker::TransportCreated> created;
    auto createdFuture = created.get_future();
    worker.createTransport(
        {clientIce, session.fingerprint(), listener},
        [&created](MediaWorker::TransportCreated result) { created.set_value(std::move(result)); });
    const auto transport = waitFor(createdFuture);
    EXPECT_GE(transport.local.ufrag.size(), 4u);
    EXPECT_GE(transport.local.password.size(), 22u);

    ConnectedUdpSocket client(worker.port());

    // ICE: one binding request, nominating this pair.
    client.send(
        stunBindingRequest(transport.local.ufrag, clientIce.ufrag, transport.local.password, true));
    const auto response = client.receive(5s);
    ASSERT_TRUE(response.has_value()) << "no STUN response";
    const auto stun = StunMessage::parse(*response);
    ASSERT_TRUE(stun.has_value());
    EXPECT_EQ(stun->messageClass(), StunClass::success);
    EXPECT_TRUE(stun->messageIntegrityValid(transport.local.password));

    session.handshake(client, 10s);
    EXPECT_EQ(session.peerFingerprint(), worker.fingerprintSha256());

    // SRTP: one packet up, the echo down.
    Bytes plain = {0x80, 0x60, 0x00, 0x05, 0, 0, 0x10, 0, 0x11, 0x22, 0x33, 0x44};
    for (int i = 0; i < 100; ++i) plain.push_back(static_cast<std::uint8_t>(i));
    client.send(session.protect(plain, false));
    std::optional<Bytes> echo;
    for (const auto deadline = Clock::now() + 10s; !echo && Clock::now() < deadline;) {
        // Late DTLS retransmissions may still arrive; the echo is the first RTP packet.
        if (auto datagram = client.receive(200ms);
            datagram && !datagram->empty() && (*datagram)[0] >= 128)
            echo = session.unprotect(std::move(*datagram), false);
    }
    ASSERT_TRUE(echo.has_value()) << "no echo";
    auto echoed = RtpPacket::parse(*echo);
    ASSERT_TRUE(echoed.has_value());
    EXPECT_EQ(echoed->ssrc(), kEchoSsrc);
    EXPECT_EQ(echoed->sequenceNumber(), 5);
    EXPECT_EQ(Bytes(echo->begin() + 12, echo->end()), Bytes(plain.begin() + 12, plain.end()));
    EXPECT_TRUE(listener->connected);

    const auto stats = statsOf(worker);
    EXPECT_EQ(stats.transports, 1u);
    EXPECT_EQ(stats.droppedUnknownSender, 0u);
}

TEST(MediaWorkerTest, DatagramsFromUnknownSendersAreDroppedAndCounted) {
    MediaWorker::Options options;
    options.bindAddress = "127.0.0.1";
    MediaWorker worker(options);
    ConnectedUdpSocket stranger(worker.port());
    // RTP-like, DTLS-like, and a STUN request naming a ufrag the worker never handed out.
    stranger.send(Bytes(40, 0x80));
    stranger.send(Bytes(40, 22));
    stranger.send(stunBindingRequest("nosuchufrag", "x", "password-password-password", true));
    // No answer to any of them; the stats call queues behind the three datagrams only if they
    // have arrived, so wait for the count itself.
    const auto deadline = Clock::now() + 5s;
    MediaWorker::Stats stats;
    while (Clock::now() < deadline) {
        stats = statsOf(worker);
        if (stats.droppedUnknownSender == 3) break;
        stranger.receive(20ms);  // a bounded wait between looks; an answer would fail below
    }
    EXPECT_EQ(stats.droppedUnknownSender, 3u);
    EXPECT_EQ(stats.datagramsReceived, 3u);
    EXPECT_FALSE(stranger.receive(50ms).has_value());
}

TEST(MediaWorkerTest, ClosedTransportsAreForgotten) {
    MediaWorker::Options options;
    options.bindAddress = "127.0.0.1";
    MediaWorker worker(options);
    TestDtlsClient dtls("SRTP_AEAD_AES_128_GCM");
    auto listener = std::make_shared<EchoListener>();
    std::promise<MediaWorker::TransportCreated> created;
    auto createdFuture = created.get_future();
    worker.createTransport(
        {{"cliufrag", "client-password-0123456789"}, dtls.fingerprint(), listener},
        [&created](MediaWorker::TransportCreated result) { created.set_value(std::move(result)); });
    const auto transport = waitFor(createdFuture);
    EXPECT_EQ(statsOf(worker).transports, 1u);

    worker.closeTransport(transport.id);
    const auto stats = statsOf(worker);  // posted after the close, so it runs after it
    EXPECT_EQ(stats.transports, 0u);
    EXPECT_EQ(stats.transportsClosed, 1u);
    EXPECT_EQ(stats.closes.closedByServer, 1u);

    // Its ufrag no longer routes: a binding request for it is an unknown sender's.
    ConnectedUdpSocket client(worker.port());
    client.send(
        stunBindingRequest(transport.local.ufrag, "cliufrag", transport.local.password, true));
    const auto deadline = Clock::now() + 5s;
    while (statsOf(worker).droppedUnknownSender == 0 && Clock::now() < deadline)
        EXPECT_FALSE(client.receive(20ms).has_value());
    EXPECT_EQ(statsOf(worker).droppedUnknownSender, 1u);
}

// A client that passes ICE, starts DTLS (one ClientHello) and then goes silent holds a
// transport only until the handshake deadline: it is closed, forgotten and counted by reason.
TEST(MediaWorkerTest, AClientThatNeverFinishesDtlsIsClosedAtTheDeadlineAndCounted) {
    MediaWorker::Options options;
    options.bindAddress = "127.0.0.1";
    options.transport.dtls.handshakeTimeout = 300ms;
    MediaWorker worker(options);
    TestDtlsClient dtls("SRTP_AEAD_AES_128_GCM");
    auto listener = std::make_shared<EchoListener>();
    const IceCredentials clientIce{"cliufrag", "client-password-0123456789"};
    std::promise<MediaWorker::TransportCreated> created;
    auto createdFuture = created.get_future();
    worker.createTransport(
        {clientIce, dtls.fingerprint(), listener},
        [&created](MediaWorker::TransportCreated result) { created.set_value(std::move(result)); });
    const auto transport = waitFor(createdFuture);
    ConnectedUdpSocket client(worker.port());
    client.send(
        stunBindingRequest(transport.local.ufrag, clientIce.ufrag, transport.local.password, true));
    ASSERT_TRUE(client.receive(5s).has_value()) << "no STUN response";
    for (const auto& datagram : dtls.step()) client.send(datagram);  // ClientHello, then silence

    const auto deadline = Clock::now() + 10s;
    MediaWorker::Stats stats = statsOf(worker);
    while (stats.transports != 0 && Clock::now() < deadline) {
        client.receive(50ms);  // the server's flights and retransmissions, unanswered
        stats = statsOf(worker);
    }
    EXPECT_EQ(stats.transports, 0u) << "the stalled transport was not closed";
    EXPECT_EQ(stats.closes.handshakeTimeout, 1u);
    EXPECT_EQ(stats.closes.closedByServer, 0u);
    EXPECT_EQ(stats.transportsClosed, 1u);
    EXPECT_FALSE(listener->connected);
}

TEST(MediaWorkerTest, ABadBindAddressThrows) {
    MediaWorker::Options options;
    options.bindAddress = "not-an-address";
    EXPECT_THROW(MediaWorker{options}, std::runtime_error);
}

}  // namespace
}  // namespace pulsemeet::media
