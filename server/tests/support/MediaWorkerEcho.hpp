#pragma once

// One MediaWorker with a listener that echoes RTP, and the browser side of one connection to it
// over any datagram channel (UDP, or RFC 4571 frames over TCP): STUN, DTLS, one SRTP packet up and
// its echo down. Shared by MediaWorkerTest and MediaWorkerTcpTest.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>

#include "DtlsSrtpClient.hpp"
#include "MediaTestClient.hpp"
#include "media/MediaWorker.hpp"
#include "media/RtpPacket.hpp"
#include "media/StunMessage.hpp"

namespace pulsemeet::media::mediatest {

inline constexpr std::uint32_t kEchoSsrc = 0xEC0EC0EC;

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

// What the media thread answers, within 5 s.
template <typename T>
T waitFor(std::future<T>& future) {
    if (future.wait_for(std::chrono::seconds(5)) != std::future_status::ready)
        throw std::runtime_error("the media thread did not answer within 5 s");
    return future.get();
}

inline MediaWorker::Stats statsOf(MediaWorker& worker) {
    std::promise<MediaWorker::Stats> promise;
    auto future = promise.get_future();
    worker.stats([&promise](MediaWorker::Stats stats) { promise.set_value(stats); });
    return waitFor(future);
}

inline MediaWorker::TransportCreated createTransport(
    MediaWorker& worker, const IceCredentials& clientIce, const SdpFingerprint& fingerprint,
    std::shared_ptr<WebRtcTransportListener> listener) {
    std::promise<MediaWorker::TransportCreated> created;
    auto future = created.get_future();
    worker.createTransport(
        {clientIce, fingerprint, std::move(listener)},
        [&created](MediaWorker::TransportCreated result) { created.set_value(std::move(result)); });
    return waitFor(future);
}

// A nominating binding request answered with integrity, the DTLS handshake (the worker's
// certificate is the one it says), then one RTP packet whose echo comes back rewritten.
template <typename Channel>
void expectStunDtlsAndEcho(Channel& client, DtlsSrtpClient& session, MediaWorker& worker,
                           const IceCredentials& server, const IceCredentials& clientIce) {
    using namespace std::chrono_literals;
    client.send(stunBindingRequest(server.ufrag, clientIce.ufrag, server.password, true));
    const auto response = client.receive(5s);
    ASSERT_TRUE(response.has_value()) << "no STUN response";
    const auto stun = StunMessage::parse(*response);
    ASSERT_TRUE(stun.has_value());
    EXPECT_EQ(stun->messageClass(), StunClass::success);
    EXPECT_TRUE(stun->messageIntegrityValid(server.password));

    session.handshake(client, 10s);
    EXPECT_EQ(session.peerFingerprint(), worker.fingerprintSha256());

    Bytes plain = {0x80, 0x60, 0x00, 0x05, 0, 0, 0x10, 0, 0x11, 0x22, 0x33, 0x44};
    for (int i = 0; i < 100; ++i) plain.push_back(static_cast<std::uint8_t>(i));
    client.send(session.protect(plain, false));
    std::optional<Bytes> echo;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!echo && std::chrono::steady_clock::now() < deadline) {
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
}

}  // namespace pulsemeet::media::mediatest
