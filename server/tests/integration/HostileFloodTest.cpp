// Floods on the media port while a call forwards (issue 19, "Hostile load"), over real UDP on
// 127.0.0.1 against a real Sfu: binding requests with a wrong password naming a real ufrag, DTLS
// ClientHellos from many source ports, and RTP to SSRCs nobody declared (from strangers and
// from the call's own validated tuple). Each flood is bounded in count; the call keeps losing
// less than 1 %, no transport appears for a stranger, memory stays bounded and the counters
// account for what was dropped.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "UdpMediaPeer.hpp"
#include "media/RtpPacket.hpp"
#include "media/Sfu.hpp"

namespace pulsemeet::media {
namespace {

using mediatest::Bytes;
using mediatest::chromeLikeOffer;
using mediatest::UdpMediaPeer;
using namespace std::chrono_literals;

constexpr std::uint32_t kCameraSsrc = 0x0CA0CA01;
constexpr int kCallPackets = 1000;
constexpr int kFloodEach = 3000;  // datagrams per flood
constexpr int kHelloPorts = 300;  // source ports the ClientHellos come from

class SilentListener : public SfuListener {
  public:
    void onTracksAvailable(const std::string&, const std::string&,
                           std::vector<AvailableTrack>) override {}
    void onTransportClosed(const std::string&, const std::string&, std::string_view) override {}
};

SfuAnswer offerAndWait(Sfu& sfu, const std::string& peerId, const std::string& sdp) {
    std::promise<std::variant<SfuAnswer, SdpError>> promise;
    auto future = promise.get_future();
    sfu.offer("call", peerId, sdp,
              [&promise](auto result) { promise.set_value(std::move(result)); });
    if (future.wait_for(5s) != std::future_status::ready) throw std::runtime_error("no answer");
    auto result = future.get();
    if (auto* error = std::get_if<SdpError>(&result))
        throw std::runtime_error("offer refused: " + error->message);
    return std::get<SfuAnswer>(std::move(result));
}

SfuStats statsOf(Sfu& sfu) {
    std::promise<SfuStats> promise;
    auto future = promise.get_future();
    sfu.stats([&promise](SfuStats stats) { promise.set_value(stats); });
    if (future.wait_for(5s) != std::future_status::ready) throw std::runtime_error("no stats");
    return future.get();
}

long residentKiB() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return 0;
}

// A camera packet whose payload says which of the call's packets it is (bytes 12..15 of the
// payload), on a VP8 key frame so the subscriber gets it at once. Another SSRC's packets carry
// no mid, so that nothing but the SSRC could route them.
Bytes cameraPacket(std::uint32_t index, std::uint32_t ssrc = kCameraSsrc) {
    const std::uint8_t mid[] = {'1'};
    const RtpExtensionElement withMid[] = {{4, mid}};
    const std::span<const RtpExtensionElement> elements =
        ssrc == kCameraSsrc ? std::span<const RtpExtensionElement>(withMid)
                            : std::span<const RtpExtensionElement>();
    Bytes payload(200, 0x42);
    payload[0] = 0x10;  // VP8 descriptor: start of partition 0
    payload[1] = 0x10;  // VP8 payload header: key frame
    for (int i = 0; i < 4; ++i) payload[12 + i] = static_cast<std::uint8_t>(index >> (24 - 8 * i));
    Bytes out(1500);
    out.resize(
        writeRtpPacket(out, {false, 96, static_cast<std::uint16_t>(index), 3000u * index, ssrc, {}},
                       elements, payload));
    return out;
}

std::optional<std::uint32_t> callIndex(Bytes& packet) {
    const auto rtp = RtpPacket::parse(packet);
    if (!rtp || rtp->payload().size() < 16) return std::nullopt;
    const auto payload = rtp->payload();
    return std::uint32_t{payload[12]} << 24 | std::uint32_t{payload[13]} << 16 |
           std::uint32_t{payload[14]} << 8 | payload[15];
}

// Sends `count` datagrams made by `make(i)`, each from socket i / perSocket, a few at a time, so
// that the flood is fast but bounded in rate as well as in count.
template <typename Make>
void flood(std::uint16_t port, int count, int perSocket, Make make) {
    std::optional<UdpMediaPeer> stranger;
    for (int i = 0; i < count; ++i) {
        if (i % perSocket == 0) stranger.emplace(port);
        stranger->sendRaw(make(i));
        if (i % 16 == 15) std::this_thread::sleep_for(1ms);
    }
}

struct Call {
    Call() : sfu(Sfu::Options{"127.0.0.1", 0, "127.0.0.1", 1, 0, nullptr}, listener) {
        publisherAnswer = offerAndWait(sfu, "pub",
                                       chromeLikeOffer(publisherIce, publisher.fingerprint(),
                                                       {{"video", "1", "sendonly", kCameraSsrc}}));
        publisher.connect(publisherAnswer.sdp, publisherIce);
        const auto subscriberAnswer =
            offerAndWait(sfu, "sub",
                         chromeLikeOffer(subscriberIce, subscriber.fingerprint(),
                                         {{"video", "v", "recvonly", 0}}));
        subscriber.connect(subscriberAnswer.sdp, subscriberIce);
        const auto parsed = parseSdpOffer(publisherAnswer.sdp);
        publisherServerUfrag = std::get<SdpOffer>(parsed).media.front().iceUfrag;
    }

    SilentListener listener;
    Sfu sfu;
    UdpMediaPeer publisher{sfu.port()};
    UdpMediaPeer subscriber{sfu.port()};
    IceCredentials publisherIce{"pubufrag", "publisher-password-0123456789"};
    IceCredentials subscriberIce{"subufrag", "subscriber-password-0123456789"};
    SfuAnswer publisherAnswer;
    std::string publisherServerUfrag;
};

TEST(HostileFlood, ACallKeepsForwardingThroughFloodsWithBoundedMemory) {
    Call call;
    const auto port = call.sfu.port();
    // The call is up: the subscriber gets the publisher's packets.
    std::uint32_t warmup = 0;
    std::optional<Bytes> first;
    while (!first && warmup < 200) {
        call.publisher.sendRtp(cameraPacket(warmup++));
        first = call.subscriber.receiveRtp(50ms);
    }
    ASSERT_TRUE(first) << "the call forwards nothing before any flood";
    const auto before = statsOf(call.sfu);
    const long residentBefore = residentKiB();

    // The subscriber counts the call's packets on its own thread while everything else runs.
    std::atomic<bool> stop{false};
    std::set<std::uint32_t> received;
    std::size_t foreign = 0;  // a packet of the undeclared SSRCs reached the subscriber
    std::thread receiver([&] {
        while (!stop) {
            auto packet = call.subscriber.receiveRtp(50ms);
            if (!packet) continue;
            const auto index = callIndex(*packet);
            if (index && *index >= 2'000'000)
                ++foreign;
            else if (index && *index >= 1'000'000)
                received.insert(*index);
        }
    });

    // Strangers: binding requests naming the publisher's transport with a wrong password, from
    // 30 ports; DTLS ClientHellos (real ones) from kHelloPorts ports; plain RTP from 30 ports.
    const auto hello = mediatest::TestDtlsClient("SRTP_AEAD_AES_128_GCM").step().front();
    std::thread stunFlood([&] {
        flood(port, kFloodEach, kFloodEach / 30, [&](int i) {
            return mediatest::stunBindingRequest(call.publisherServerUfrag, "strangr",
                                                 "not-the-password-at-all", true,
                                                 static_cast<std::uint8_t>(i));
        });
    });
    std::thread helloFlood(
        [&] { flood(port, kFloodEach, kFloodEach / kHelloPorts, [&](int) { return hello; }); });
    std::thread rtpFlood([&] {
        flood(port, kFloodEach, kFloodEach / 30, [](int i) {
            return mediatest::rtpPacket(static_cast<std::uint16_t>(i), 0xBAD00000u + i, 160);
        });
    });
    // The call: kCallPackets packets, each followed by three protected packets to SSRCs nobody
    // declared, from the publisher's own validated address (kFloodEach of them in all).
    for (std::uint32_t i = 0; i < kCallPackets; ++i) {
        call.publisher.sendRtp(cameraPacket(1'000'000 + i));
        for (int j = 0; j < kFloodEach / kCallPackets; ++j)
            call.publisher.sendRtp(cameraPacket(2'000'000 + i, 0xDEAD0000u + i * 4 + j));
        if (i % 4 == 3) std::this_thread::sleep_for(1ms);
    }
    stunFlood.join();
    helloFlood.join();
    rtpFlood.join();

    // Every flood datagram ends in a counter once the worker has read it all.
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    SfuStats after = statsOf(call.sfu);
    const auto accounted = [&] {
        return after.stunRejected - before.stunRejected >= kFloodEach &&
               after.droppedUnknownSender - before.droppedUnknownSender >= 2 * kFloodEach &&
               after.unroutable - before.unroutable >= kFloodEach;
    };
    while (!accounted() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(20ms);
        after = statsOf(call.sfu);
    }
    stop = true;
    receiver.join();

    const auto lost = kCallPackets - static_cast<int>(received.size());
    EXPECT_LT(lost * 100, kCallPackets)
        << lost << " of the call's " << kCallPackets << " packets lost under the floods";
    // Counted exactly unless the kernel dropped some on the way (a full socket buffer).
    const auto counted = [](std::uint64_t count, int sent) {
        return count <= std::uint64_t(sent) && count * 100 >= std::uint64_t(sent) * 95;
    };
    EXPECT_PRED2(counted, after.stunRejected - before.stunRejected, kFloodEach)
        << "each binding request with a wrong password is refused and counted";
    EXPECT_PRED2(counted, after.droppedUnknownSender - before.droppedUnknownSender, 2 * kFloodEach)
        << "ClientHellos and RTP from unchecked addresses are dropped and counted";
    EXPECT_PRED2(counted, after.unroutable - before.unroutable, kFloodEach)
        << "RTP to undeclared SSRCs is dropped and counted";
    EXPECT_EQ(after.transports, 2U) << "no stranger got a transport";
    EXPECT_EQ(foreign, 0U) << "packets to undeclared SSRCs reached the subscriber";
    // Nothing the floods send is kept: no per-stranger state. The bound is loose (allocator
    // noise, the test's own threads), far below what keeping 9000 datagrams or 300 DTLS
    // handshakes would cost.
    EXPECT_LT(residentKiB() - residentBefore, 16 * 1024);
}

}  // namespace
}  // namespace pulsemeet::media
