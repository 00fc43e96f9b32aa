// MediaWorker over real UDP on 127.0.0.1: a test client with its own socket does what a browser
// does (STUN binding request, DTLS handshake as client, SRTP) against a worker on a port the
// kernel chose, and a listener that echoes RTP back proves both directions end to end.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "ConnectedUdpSocket.hpp"
#include "DtlsSrtpClient.hpp"
#include "MediaTestClient.hpp"
#include "MediaWorkerEcho.hpp"
#include "media/MediaWorker.hpp"
#include "media/RtpPacket.hpp"
#include "media/SrtpSession.hpp"
#include "media/StunMessage.hpp"

namespace pulsemeet::media {
namespace {

using mediatest::Bytes;
using mediatest::ConnectedUdpSocket;
using mediatest::createTransport;
using mediatest::DtlsSrtpClient;
using mediatest::EchoListener;
using mediatest::expectStunDtlsAndEcho;
using mediatest::statsOf;
using mediatest::stunBindingRequest;
using mediatest::TestDtlsClient;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(MediaWorkerTest, StunDtlsSrtpEchoOverRealUdp) {
    MediaWorker::Options options;
    options.bindAddress = "127.0.0.1";
    options.port = 0;
    MediaWorker worker(options);
    ASSERT_NE(worker.port(), 0);

    DtlsSrtpClient session;
    auto listener = std::make_shared<EchoListener>();
    const IceCredentials clientIce{"cliufrag", "client-password-0123456789"};
    const auto transport = createTransport(worker, clientIce, session.fingerprint(), listener);
    EXPECT_GE(transport.local.ufrag.size(), 4u);
    EXPECT_GE(transport.local.password.size(), 22u);

    ConnectedUdpSocket client(worker.port());
    expectStunDtlsAndEcho(client, session, worker, transport.local, clientIce);
    EXPECT_TRUE(listener->connected);

    const auto stats = statsOf(worker);
    EXPECT_EQ(stats.transports, 1u);
    EXPECT_EQ(stats.droppedUnknownSender, 0u);
    // The echo came back to a socket connected to the media port, from the send-only socket.
    EXPECT_TRUE(stats.sendsFromOwnSocket);
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
    const auto transport = createTransport(worker, {"cliufrag", "client-password-0123456789"},
                                           dtls.fingerprint(), listener);
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

// A binding request goes to the transport its USERNAME names, even from an address another
// transport's ICE accepted before: a browser's new connection may get the address of an old one
// still within its consent (a reused port, a NAT's mapping), and must not be refused by the old
// transport's credentials (its checks would fail and ICE fall back to TCP or fail).
TEST(MediaWorkerTest, ABindingRequestGoesToTheTransportItNamesNotTheAddresssLastOwner) {
    MediaWorker::Options options;
    options.bindAddress = "127.0.0.1";
    MediaWorker worker(options);
    auto oldListener = std::make_shared<EchoListener>();
    const IceCredentials oldIce{"oldufrag", "old-client-password-0123456"};
    TestDtlsClient oldDtls("SRTP_AEAD_AES_128_GCM");
    const auto old = createTransport(worker, oldIce, oldDtls.fingerprint(), oldListener);
    ConnectedUdpSocket client(worker.port());
    client.send(stunBindingRequest(old.local.ufrag, oldIce.ufrag, old.local.password, true));
    ASSERT_TRUE(client.receive(5s).has_value()) << "no STUN response from the old transport";

    // The same address, a new transport: ICE, DTLS and SRTP all reach the new one.
    DtlsSrtpClient session;
    auto listener = std::make_shared<EchoListener>();
    const IceCredentials clientIce{"newufrag", "new-client-password-0123456"};
    const auto fresh = createTransport(worker, clientIce, session.fingerprint(), listener);
    expectStunDtlsAndEcho(client, session, worker, fresh.local, clientIce);
    EXPECT_TRUE(listener->connected);
    EXPECT_FALSE(oldListener->connected);
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
    const auto transport = createTransport(worker, clientIce, dtls.fingerprint(), listener);
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
