// ICE over TCP into MediaWorker on 127.0.0.1 (RFC 6544, RFC 4571): a test client does what a
// browser whose UDP is blocked does (connects to the passive TCP candidate, STUN binding request,
// DTLS handshake, SRTP) with every packet length-prefixed on one TCP connection, and an echoing
// listener proves both directions. Then the guards: a connection that sends no valid STUN is
// closed at the deadline, a broken length prefix closes it at once, and the cap refuses the rest.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "MediaTestClient.hpp"
#include "media/MediaWorker.hpp"
#include "media/Rfc4571Reader.hpp"
#include "media/RtpPacket.hpp"
#include "media/SrtpSession.hpp"
#include "media/StunMessage.hpp"

namespace pulsemeet::media {
namespace {

using mediatest::Bytes;
using mediatest::stunBindingRequest;
using mediatest::TestDtlsClient;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kEchoSsrc = 0xEC0EC0EC;

// A TCP connection to 127.0.0.1 that speaks RFC 4571 frames.
class FramedTcpClient {
  public:
    explicit FramedTcpClient(std::uint16_t serverPort)
        : fd_(::socket(AF_INET, SOCK_STREAM, 0)), reader_(4096) {
        if (fd_ < 0) throw std::runtime_error("socket");
        sockaddr_in server{};
        server.sin_family = AF_INET;
        server.sin_port = htons(serverPort);
        server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<const sockaddr*>(&server), sizeof server) != 0)
            throw std::runtime_error("connect");
    }
    ~FramedTcpClient() { ::close(fd_); }
    FramedTcpClient(const FramedTcpClient&) = delete;
    FramedTcpClient& operator=(const FramedTcpClient&) = delete;

    void sendRaw(const Bytes& bytes) {
        ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
                  static_cast<ssize_t>(bytes.size()));
    }
    // Sent in two writes split mid-frame, as a stream may deliver it.
    void send(const Bytes& packet) {
        Bytes framed;
        Rfc4571Reader::appendFrame(framed, packet);
        const auto half = framed.size() / 2;
        sendRaw(Bytes(framed.begin(), framed.begin() + static_cast<std::ptrdiff_t>(half)));
        sendRaw(Bytes(framed.begin() + static_cast<std::ptrdiff_t>(half), framed.end()));
    }

    // The next packet within `wait`; nullopt on timeout or when the server closed.
    std::optional<Bytes> receive(Clock::duration wait) {
        const auto deadline = Clock::now() + wait;
        while (frames_.empty() && !closed_) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            if (left.count() <= 0) break;
            pollfd descriptor{fd_, POLLIN, 0};
            if (::poll(&descriptor, 1, static_cast<int>(left.count())) != 1) break;
            auto space = reader_.writable();
            const auto size = ::recv(fd_, space.data(), space.size(), 0);
            if (size <= 0) {
                closed_ = true;
                break;
            }
            reader_.commit(static_cast<std::size_t>(size), [this](std::span<std::uint8_t> frame) {
                frames_.emplace_back(frame.begin(), frame.end());
            });
        }
        if (frames_.empty()) return std::nullopt;
        Bytes front = std::move(frames_.front());
        frames_.erase(frames_.begin());
        return front;
    }

    // Whether the server closes the connection within `wait` (reading and discarding frames).
    bool closedWithin(Clock::duration wait) {
        const auto deadline = Clock::now() + wait;
        while (!closed_ && Clock::now() < deadline) receive(50ms);
        return closed_;
    }

  private:
    int fd_;
    Rfc4571Reader reader_;
    std::vector<Bytes> frames_;
    bool closed_ = false;
};

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

MediaWorker::Options tcpOptions() {
    MediaWorker::Options options;
    options.bindAddress = "127.0.0.1";
    options.port = 0;
    options.tcpPort = 0;
    return options;
}

MediaWorker::TransportCreated createTransport(MediaWorker& worker, const IceCredentials& clientIce,
                                              const TestDtlsClient& dtls,
                                              std::shared_ptr<EchoListener> listener) {
    std::promise<MediaWorker::TransportCreated> created;
    auto future = created.get_future();
    worker.createTransport(
        {clientIce, dtls.fingerprint(), std::move(listener)},
        [&created](MediaWorker::TransportCreated result) { created.set_value(std::move(result)); });
    return waitFor(future);
}

template <typename Predicate>
MediaWorker::Stats waitForStats(MediaWorker& worker, Predicate predicate) {
    const auto deadline = Clock::now() + 10s;
    auto stats = statsOf(worker);
    while (!predicate(stats) && Clock::now() < deadline) {
        std::this_thread::sleep_for(10ms);  // polling a condition with a deadline
        stats = statsOf(worker);
    }
    return stats;
}

TEST(MediaWorkerTcpTest, StunDtlsSrtpEchoOverOneTcpConnection) {
    MediaWorker worker(tcpOptions());
    ASSERT_TRUE(worker.tcpPort().has_value());
    ASSERT_NE(*worker.tcpPort(), 0);

    TestDtlsClient dtls("SRTP_AEAD_AES_128_GCM");
    auto listener = std::make_shared<EchoListener>();
    const IceCredentials clientIce{"cliufrag", "client-password-0123456789"};
    const auto transport = createTransport(worker, clientIce, dtls, listener);

    FramedTcpClient client(*worker.tcpPort());
    client.send(
        stunBindingRequest(transport.local.ufrag, clientIce.ufrag, transport.local.password, true));
    const auto response = client.receive(5s);
    ASSERT_TRUE(response.has_value()) << "no STUN response over TCP";
    const auto stun = StunMessage::parse(*response);
    ASSERT_TRUE(stun.has_value());
    EXPECT_EQ(stun->messageClass(), StunClass::success);
    EXPECT_TRUE(stun->messageIntegrityValid(transport.local.password));

    const auto deadline = Clock::now() + 10s;
    while (!dtls.done() && Clock::now() < deadline) {
        for (const auto& record : dtls.step()) client.send(record);
        if (dtls.done()) break;
        if (auto record = client.receive(200ms)) dtls.receive(*record);
    }
    ASSERT_TRUE(dtls.done()) << "DTLS handshake over TCP did not finish";
    EXPECT_EQ(dtls.peerFingerprint(), worker.fingerprintSha256());

    const auto keys = dtls.exportKeys(SrtpProfile::aeadAes128Gcm);
    auto out =
        SrtpSession::create(keys.profile, keys.localKeySalt, SrtpSession::Direction::outbound);
    auto in =
        SrtpSession::create(keys.profile, keys.remoteKeySalt, SrtpSession::Direction::inbound);
    ASSERT_TRUE(out && in);
    Bytes plain = {0x80, 0x60, 0x00, 0x05, 0, 0, 0x10, 0, 0x11, 0x22, 0x33, 0x44};
    for (int i = 0; i < 100; ++i) plain.push_back(static_cast<std::uint8_t>(i));
    Bytes wire(plain.size() + SrtpSession::kMaxProtectOverhead);
    std::copy(plain.begin(), plain.end(), wire.begin());
    const auto protectedPacket = out->protectRtp(wire, plain.size());
    ASSERT_EQ(protectedPacket.status, SrtpStatus::ok);
    wire.resize(protectedPacket.length);
    client.send(wire);

    std::optional<Bytes> echo;
    while (Clock::now() < deadline) {
        echo = client.receive(200ms);
        if (echo && !echo->empty() && (*echo)[0] >= 128) break;
        echo.reset();
    }
    ASSERT_TRUE(echo.has_value()) << "no echo over TCP";
    const auto unprotected = in->unprotectRtp(*echo);
    ASSERT_EQ(unprotected.status, SrtpStatus::ok);
    echo->resize(unprotected.length);
    auto echoed = RtpPacket::parse(*echo);
    ASSERT_TRUE(echoed.has_value());
    EXPECT_EQ(echoed->ssrc(), kEchoSsrc);
    EXPECT_EQ(Bytes(echo->begin() + 12, echo->end()), Bytes(plain.begin() + 12, plain.end()));
    EXPECT_TRUE(listener->connected);

    const auto stats = statsOf(worker);
    EXPECT_EQ(stats.tcp.accepted, 1u);
    EXPECT_EQ(stats.tcp.connections, 1u);
    EXPECT_GE(stats.tcp.framesReceived, 3u);  // STUN, DTLS flights, SRTP
    EXPECT_GE(stats.tcp.framesSent, 3u);
    EXPECT_EQ(stats.tcp.sendDropped, 0u);
    EXPECT_EQ(stats.datagramsReceived, 0u);  // nothing went over UDP
}

TEST(MediaWorkerTcpTest, AConnectionWithoutAValidBindingRequestIsClosedAtTheDeadline) {
    auto options = tcpOptions();
    options.tcpLimits.stunDeadline = 300ms;
    MediaWorker worker(options);
    // Connected, then a STUN request naming a ufrag nobody has: no answer, closed at 300 ms.
    FramedTcpClient silent(*worker.tcpPort());
    FramedTcpClient stranger(*worker.tcpPort());
    stranger.send(stunBindingRequest("nosuchufrag", "x", "password-password-password", true));
    EXPECT_TRUE(silent.closedWithin(5s));
    EXPECT_TRUE(stranger.closedWithin(5s));
    const auto stats = waitForStats(worker, [](const auto& s) {
        return s.tcp.closedNoValidStun == 2 && s.tcp.connections == 0;
    });
    EXPECT_EQ(stats.tcp.closedNoValidStun, 2u);
    EXPECT_EQ(stats.tcp.connections, 0u);
    EXPECT_EQ(stats.droppedUnknownSender, 1u);
}

TEST(MediaWorkerTcpTest, AnOversizedLengthPrefixClosesTheConnectionAtOnce) {
    auto options = tcpOptions();
    options.tcpLimits.stunDeadline = 60s;  // so only the framing can close it within the test
    MediaWorker worker(options);
    FramedTcpClient client(*worker.tcpPort());
    client.sendRaw({0xFF, 0xFF, 1, 2, 3});
    EXPECT_TRUE(client.closedWithin(5s));
    const auto stats =
        waitForStats(worker, [](const auto& s) { return s.tcp.closedBadFraming == 1; });
    EXPECT_EQ(stats.tcp.closedBadFraming, 1u);
    EXPECT_EQ(stats.tcp.framesReceived, 0u);
}

TEST(MediaWorkerTcpTest, ConnectionsAboveTheCapAreRefused) {
    auto options = tcpOptions();
    options.maxTcpConnections = 2;
    options.tcpLimits.stunDeadline = 60s;
    MediaWorker worker(options);
    FramedTcpClient first(*worker.tcpPort());
    FramedTcpClient second(*worker.tcpPort());
    waitForStats(worker, [](const auto& s) { return s.tcp.accepted == 2; });
    FramedTcpClient third(*worker.tcpPort());
    EXPECT_TRUE(third.closedWithin(5s));
    EXPECT_FALSE(first.closedWithin(100ms));
    const auto stats = statsOf(worker);
    EXPECT_EQ(stats.tcp.refusedOverCap, 1u);
    EXPECT_EQ(stats.tcp.connections, 2u);
}

TEST(MediaWorkerTcpTest, NoTcpPortWhenItIsOff) {
    MediaWorker::Options options;
    options.bindAddress = "127.0.0.1";
    MediaWorker worker(options);
    EXPECT_FALSE(worker.tcpPort().has_value());
}

}  // namespace
}  // namespace pulsemeet::media
