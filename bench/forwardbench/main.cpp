// pulsemeet-forwardbench: the media server's own cost per forwarded packet, without the kernel:
// rooms of publishers whose video and audio go through Producer::receive and every subscriber's
// Consumer::forward, then SRTP-protected by the subscriber's session into a ring of datagram
// slots as wide as the worker's send batch. Time is simulated (a 2 ms tick, as the load peer's),
// so retransmission storage ages as in a real call, and the working set is a real room's: with
// dozens of subscribers, most of what a forwarded packet touches is cold. The loopback's cost
// and the machine's scheduling, most of `make bench-sfu`'s noise, are not in it: what it shows
// is the part of the figure that is ours (docs/performance.md, "The forwarding path alone").
// Prints one line per round (the packets forwarded after the first tenth, which warms up), then
// the median:
//   rooms N room_size N forwarded N ns_per_forwarded X
// Usage: pulsemeet-forwardbench [rooms] [room_size] [seconds] [rounds] (default 4 6 20 7).
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "media/Consumer.hpp"
#include "media/Producer.hpp"
#include "media/RtpMapping.hpp"
#include "media/RtpPacket.hpp"
#include "media/SrtpSession.hpp"

namespace {

using namespace pulsemeet::media;
using Clock = std::chrono::steady_clock;
using Bytes = std::vector<std::uint8_t>;

constexpr std::size_t kSendBatch = 256;
constexpr std::size_t kSlot = 1500 + SrtpSession::kMaxProtectOverhead;
constexpr auto kTick = std::chrono::milliseconds(2);

Bytes keyFor(std::uint32_t seed) {
    const auto [key, salt] = srtpKeyLengths(SrtpProfile::aeadAes128Gcm);
    Bytes bytes(key + salt);
    std::iota(bytes.begin(), bytes.end(), static_cast<std::uint8_t>(seed));
    return bytes;
}

SdpCodec codec(std::uint8_t payloadType, const char* name, std::uint32_t clockRate) {
    SdpCodec out;
    out.payloadType = payloadType;
    out.name = name;
    out.clockRate = clockRate;
    if (std::string(name) == "opus") out.channels = 2;
    return out;
}

const std::vector<SdpExtmap>& extmaps() {
    static const std::vector<SdpExtmap> maps = {
        {4, "urn:ietf:params:rtp-hdrext:sdes:mid"},
        {2, "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"},
        {3, "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"}};
    return maps;
}

// A subscriber's transport as far as a forwarded packet goes: protected into the next slot of a
// ring as wide as the send batch (the datagrams the worker hands to sendmmsg).
class Subscriber : public Consumer::Listener, public Producer::Listener {
  public:
    explicit Subscriber(std::uint32_t seed)
        : srtp_(*SrtpSession::create(SrtpProfile::aeadAes128Gcm, keyFor(seed),
                                     SrtpSession::Direction::outbound)) {}
    bool consumerReady(const Consumer&) const override { return true; }
    void onConsumerRtp(Consumer&, SplitRtpPacket packet) override {
        auto slot = std::span((*batch_)[(*next_)++ % kSendBatch]);
        if (srtp_.protectRtp(packet, slot).status == SrtpStatus::ok) ++(*sent_);
    }
    void onProducerRtcp(Producer&, std::span<const std::uint8_t>) override {}
    void attach(std::vector<std::array<std::uint8_t, kSlot>>& batch, std::size_t& next,
                std::uint64_t& sent) {
        batch_ = &batch;
        next_ = &next;
        sent_ = &sent;
    }

  private:
    SrtpSession srtp_;
    std::vector<std::array<std::uint8_t, kSlot>>* batch_ = nullptr;
    std::size_t* next_ = nullptr;  // the ring's next slot, shared by all subscribers
    std::uint64_t* sent_ = nullptr;
};

struct Publisher {
    std::unique_ptr<Producer> video;
    std::unique_ptr<Producer> audio;
    std::uint16_t videoSequence = 0;
    std::uint16_t audioSequence = 0;
    std::uint32_t frame = 0;
};

struct World {
    SfuStats stats;
    std::vector<std::unique_ptr<Subscriber>> subscribers;
    std::vector<Publisher> publishers;
    std::vector<std::unique_ptr<Consumer>> consumers;
    std::vector<std::array<std::uint8_t, kSlot>> batch =
        std::vector<std::array<std::uint8_t, kSlot>>(kSendBatch);
    std::size_t next = 0;
    std::uint64_t sent = 0;
};

std::unique_ptr<Producer> makeProducer(bool video, std::uint32_t ssrc, Producer::Listener& listener,
                                       SfuStats& stats) {
    Producer::Parameters p;
    p.mid = video ? "1" : "0";
    p.kind = video ? "video" : "audio";
    p.ssrc = ssrc;
    p.codecs = {video ? codec(96, "VP8", 90000) : codec(111, "opus", 48000)};
    p.extmaps = extmaps();
    return std::make_unique<Producer>(p, listener, stats);
}

void build(World& world, std::size_t rooms, std::size_t roomSize) {
    const auto peers = rooms * roomSize;
    for (std::size_t i = 0; i < peers; ++i) {
        world.subscribers.push_back(std::make_unique<Subscriber>(static_cast<std::uint32_t>(i)));
        world.subscribers.back()->attach(world.batch, world.next, world.sent);
    }
    world.publishers.resize(peers);
    for (std::size_t i = 0; i < peers; ++i) {
        auto& publisher = world.publishers[i];
        const auto ssrc = static_cast<std::uint32_t>(0x10000000 + 2 * i);
        publisher.video = makeProducer(true, ssrc, *world.subscribers[i], world.stats);
        publisher.audio = makeProducer(false, ssrc + 1, *world.subscribers[i], world.stats);
    }
    // Everyone in a room subscribes to everyone else's two tracks.
    for (std::size_t i = 0; i < peers; ++i) {
        const auto room = i / roomSize;
        for (std::size_t j = room * roomSize; j < (room + 1) * roomSize; ++j) {
            if (j == i) continue;
            for (auto* producer :
                 {world.publishers[j].video.get(), world.publishers[j].audio.get()}) {
                Consumer::Parameters c;
                c.mid = std::to_string(world.consumers.size() % 100);
                c.ssrc = static_cast<std::uint32_t>(0x30000000 + world.consumers.size());
                c.payloadTypes =
                    mapPayloadTypes(producer->parameters().codecs, producer->parameters().codecs);
                c.extensions = mapExtensions(producer->parameters().extmaps, extmaps());
                world.consumers.push_back(
                    std::make_unique<Consumer>(*producer, c, *world.subscribers[i], world.stats));
            }
        }
    }
}

// A packet as a browser sends it: mid, abs-send-time, transport-cc; a VP8 descriptor first.
std::size_t writePacket(std::span<std::uint8_t> out, bool video, std::uint16_t sequence,
                        std::uint32_t timestamp, std::uint32_t ssrc, std::size_t payloadSize,
                        bool marker) {
    const std::uint8_t mid[] = {static_cast<std::uint8_t>(video ? '1' : '0')};
    const std::uint8_t abs[] = {1, 2, 3};
    const std::uint8_t twcc[] = {static_cast<std::uint8_t>(sequence >> 8),
                                 static_cast<std::uint8_t>(sequence)};
    const RtpExtensionElement elements[] = {{4, mid}, {2, abs}, {3, twcc}};
    std::array<std::uint8_t, 1200> payload{};
    payload[0] = 0x10;
    return writeRtpPacket(
        out, {marker, static_cast<std::uint8_t>(video ? 96 : 111), sequence, timestamp, ssrc, {}},
        elements, std::span(payload).first(payloadSize));
}

void publish(Producer& producer, std::span<std::uint8_t> bytes, Clock::time_point now) {
    auto packet = RtpPacket::parse(bytes);
    if (!packet) std::abort();
    const auto media = producer.receive(*packet, now);
    if (!media) return;
    for (auto* consumer : producer.consumers()) {
        consumer->prefetch(media->packet.payloadType());
        consumer->forward(*media, now);
    }
}

struct RoundResult {
    std::uint64_t forwarded = 0;
    double nsPerForwarded = 0;
};

// One round: `seconds` of simulated time.
RoundResult runRound(std::size_t rooms, std::size_t roomSize, int seconds) {
    World world;
    build(world, rooms, roomSize);
    std::array<std::uint8_t, 1500> buffer{};
    auto now = Clock::now();
    const auto ticks = seconds * 1000 / static_cast<int>(kTick.count());
    double elapsedNs = 0;
    std::uint64_t counted = 0;
    for (int tick = 0; tick < ticks; ++tick) {
        now += kTick;
        const auto before = world.sent;
        const auto started = Clock::now();
        for (std::size_t i = 0; i < world.publishers.size(); ++i) {
            auto& publisher = world.publishers[i];
            // Spread the publishers over the ticks: 30 frames and 50 audio packets a second.
            const auto phase = static_cast<int>(i * 7 % 10);
            if ((tick + phase) % 10 == 0) {  // every 20 ms: audio
                const auto sequence = publisher.audioSequence++;
                const auto size = writePacket(buffer, false, sequence, sequence * 960u,
                                              publisher.audio->ssrc(), 90, false);
                publish(*publisher.audio, std::span(buffer).first(size), now);
            }
            if ((tick * 3 + phase) % 50 < 3) {  // 30 frames a second, two packets each
                const auto ssrc = publisher.video->ssrc();
                const auto timestamp = ++publisher.frame * 3000u;
                auto size = writePacket(buffer, true, publisher.videoSequence++, timestamp, ssrc,
                                        1100, false);
                publish(*publisher.video, std::span(buffer).first(size), now);
                size = writePacket(buffer, true, publisher.videoSequence++, timestamp, ssrc, 700,
                                   true);
                publish(*publisher.video, std::span(buffer).first(size), now);
            }
        }
        if (tick >= ticks / 10) {  // the first tenth warms up
            elapsedNs += std::chrono::duration<double, std::nano>(Clock::now() - started).count();
            counted += world.sent - before;
        }
    }
    return {counted, counted ? elapsedNs / static_cast<double>(counted) : 0};
}

}  // namespace

int main(int argc, char** argv) {
    const auto rooms = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 4;
    const auto roomSize = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 6;
    const auto seconds = argc > 3 ? std::atoi(argv[3]) : 20;
    const auto rounds = argc > 4 ? std::atoi(argv[4]) : 7;
    if (rooms == 0 || roomSize < 2 || seconds <= 0 || rounds <= 0) {
        std::fprintf(stderr,
                     "usage: pulsemeet-forwardbench [rooms] [room_size>=2] [seconds] [rounds]\n");
        return 2;
    }
    std::vector<double> results;
    for (int r = 0; r < rounds; ++r) {
        const auto result = runRound(rooms, roomSize, seconds);
        results.push_back(result.nsPerForwarded);
        std::printf("rooms %lu room_size %lu forwarded %llu ns_per_forwarded %.1f\n", rooms,
                    roomSize, static_cast<unsigned long long>(result.forwarded),
                    result.nsPerForwarded);
    }
    std::sort(results.begin(), results.end());
    std::printf("median ns_per_forwarded %.1f\n", results[results.size() / 2]);
    return 0;
}
