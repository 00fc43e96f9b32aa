// A big room through the real binary and its media server: 30 participants, each a non-browser
// client (WebSocket signaling, then STUN, DTLS as client and SRTP over real UDP, as
// MediaTestClient.hpp does), publish a microphone with audio levels (RFC 6464) and a camera.
// With VIDEO_LAST_N=4, viewer 0 receives the cameras of the 4 most recent speakers only, and,
// the room being above 16 people, the microphones of the 3 loudest only; the others are dropped
// at the server. A camera that resumes is announced in sfu-forwarding and its publisher is asked
// for a key frame; every member hears active-speaker.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/parse.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "MediaTestClient.hpp"
#include "ServerProcess.hpp"
#include "WsClient.hpp"
#include "media/IceLiteServer.hpp"
#include "media/RtcpPacket.hpp"
#include "media/RtpPacket.hpp"
#include "media/SdpOffer.hpp"
#include "media/SrtpSession.hpp"

using namespace pulsemeet::testing;
using namespace pulsemeet::media;
using mediatest::Bytes;
using namespace std::chrono_literals;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kPeople = 30;
constexpr int kLastN = 4;
constexpr std::uint8_t kMidId = 4;
constexpr std::uint8_t kLevelId = 1;
constexpr std::uint8_t kSpeech = 20;  // -20 dBov: about 0.1 linear
constexpr std::uint8_t kSilence = 127;

std::string str(const json::value& value) {
    return std::string(value.as_string());
}

// One participant's offer: a sending microphone (mid 0) and camera (mid 1), then enough
// recvonly sections for everyone else's microphone and camera.
std::string offerFor(int index, const IceCredentials& ice, const SdpFingerprint& fingerprint) {
    struct Section {
        std::string kind, mid, direction;
        std::uint32_t ssrc = 0;
    };
    std::vector<Section> sections = {
        {"audio", "0", "sendonly", 0xA0000000U + static_cast<std::uint32_t>(index)},
        {"video", "1", "sendonly", 0xB0000000U + static_cast<std::uint32_t>(index)}};
    for (int k = 0; k < kPeople - 1; ++k) {
        sections.push_back({"audio", "ra" + std::to_string(k), "recvonly"});
        sections.push_back({"video", "rv" + std::to_string(k), "recvonly"});
    }
    std::string sdp = "v=0\r\no=- 42 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE";
    for (const auto& s : sections) sdp += " " + s.mid;
    sdp += "\r\na=msid-semantic: WMS\r\n";
    for (const auto& s : sections) {
        const bool video = s.kind == "video";
        sdp += "m=" + s.kind + " 9 UDP/TLS/RTP/SAVPF " + (video ? "96" : "111") + "\r\n";
        sdp += "c=IN IP4 0.0.0.0\r\na=ice-ufrag:" + ice.ufrag + "\r\na=ice-pwd:" + ice.password +
               "\r\na=fingerprint:" + fingerprint.algorithm + " " + fingerprint.value +
               "\r\na=setup:actpass\r\na=mid:" + s.mid + "\r\n";
        sdp += "a=extmap:" + std::to_string(kMidId) + " urn:ietf:params:rtp-hdrext:sdes:mid\r\n";
        if (!video)
            sdp += "a=extmap:" + std::to_string(kLevelId) +
                   " urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n";
        sdp += "a=" + s.direction + "\r\na=rtcp-mux\r\na=rtcp-rsize\r\n";
        if (video) {
            sdp += "a=rtpmap:96 VP8/90000\r\n";
            for (const char* fb : {"goog-remb", "ccm fir", "nack", "nack pli"})
                sdp += std::string("a=rtcp-fb:96 ") + fb + "\r\n";
        } else {
            sdp += "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n";
        }
        if (s.ssrc != 0) sdp += "a=ssrc:" + std::to_string(s.ssrc) + " cname:p\r\n";
    }
    return sdp;
}

// The port of the answer's host candidate.
std::uint16_t candidatePort(const std::string& sdp) {
    const auto at = sdp.find("a=candidate:");
    if (at == std::string::npos) throw std::runtime_error("no candidate in the answer");
    const auto line = sdp.substr(at, sdp.find("\r\n", at) - at);
    // a=candidate:1 1 udp <priority> <address> <port> typ host
    std::vector<std::string> words;
    std::size_t from = 0;
    while (from < line.size()) {
        const auto space = line.find(' ', from);
        words.push_back(line.substr(from, space - from));
        if (space == std::string::npos) break;
        from = space + 1;
    }
    return static_cast<std::uint16_t>(std::stoi(words.at(5)));
}

// One participant's media connection: a UDP socket, ICE, DTLS, SRTP.
class MediaPeer {
  public:
    MediaPeer() : dtls_("SRTP_AEAD_AES_128_GCM") {}
    ~MediaPeer() {
        if (fd_ >= 0) ::close(fd_);
    }
    MediaPeer(const MediaPeer&) = delete;
    MediaPeer& operator=(const MediaPeer&) = delete;

    SdpFingerprint fingerprint() const { return dtls_.fingerprint(); }

    void connect(const std::string& answerSdp, const IceCredentials& ours) {
        fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in server{};
        server.sin_family = AF_INET;
        server.sin_port = htons(candidatePort(answerSdp));
        server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd_ < 0 ||
            ::connect(fd_, reinterpret_cast<const sockaddr*>(&server), sizeof server) != 0)
            throw std::runtime_error("udp socket");
        const auto answer = std::get<SdpOffer>(parseSdpOffer(answerSdp));
        const auto& first = answer.media.front();
        consent_ = mediatest::stunBindingRequest(first.iceUfrag, ours.ufrag, first.icePwd, false);
        send(mediatest::stunBindingRequest(first.iceUfrag, ours.ufrag, first.icePwd, true));
        const auto deadline = Clock::now() + 10s;
        while (!dtls_.done() && Clock::now() < deadline) {
            for (const auto& datagram : dtls_.step()) send(datagram);
            if (dtls_.done()) break;
            if (auto datagram = receive(100ms);
                datagram && (*datagram)[0] >= 20 && (*datagram)[0] <= 63)
                dtls_.receive(*datagram);
        }
        if (!dtls_.done()) throw std::runtime_error("DTLS did not finish");
        const auto keys = dtls_.exportKeys(SrtpProfile::aeadAes128Gcm);
        out_ =
            SrtpSession::create(keys.profile, keys.localKeySalt, SrtpSession::Direction::outbound);
        in_ =
            SrtpSession::create(keys.profile, keys.remoteKeySalt, SrtpSession::Direction::inbound);
        if (!out_ || !in_) throw std::runtime_error("no SRTP");
    }

    // A binding request on the selected pair, as a browser sends for consent (RFC 7675).
    void keepConsent() { send(consent_); }

    void sendRtp(const Bytes& plain) {
        Bytes wire(plain.size() + SrtpSession::kMaxProtectOverhead);
        std::copy(plain.begin(), plain.end(), wire.begin());
        const auto result = out_->protectRtp(wire, plain.size());
        if (result.status != SrtpStatus::ok) throw std::runtime_error("protect");
        wire.resize(result.length);
        send(wire);
    }

    // Every packet waiting now, unprotected: (rtcp?, bytes).
    std::vector<std::pair<bool, Bytes>> drain() {
        std::vector<std::pair<bool, Bytes>> out;
        while (auto datagram = receive(0ms)) {
            if (datagram->size() < 2 || (*datagram)[0] < 128) continue;
            const bool rtcp = (*datagram)[1] >= 192 && (*datagram)[1] <= 223;
            const auto result = rtcp ? in_->unprotectRtcp(*datagram) : in_->unprotectRtp(*datagram);
            if (result.status != SrtpStatus::ok) continue;
            datagram->resize(result.length);
            out.emplace_back(rtcp, std::move(*datagram));
        }
        return out;
    }

  private:
    void send(const Bytes& datagram) {
        if (::send(fd_, datagram.data(), datagram.size(), 0) !=
            static_cast<ssize_t>(datagram.size()))
            throw std::runtime_error("udp send");
    }
    std::optional<Bytes> receive(Clock::duration wait) {
        pollfd descriptor{fd_, POLLIN, 0};
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wait).count();
        if (::poll(&descriptor, 1, static_cast<int>(ms)) != 1) return std::nullopt;
        Bytes buffer(2048);
        const auto size = ::recv(fd_, buffer.data(), buffer.size(), 0);
        if (size < 0) return std::nullopt;
        buffer.resize(static_cast<std::size_t>(size));
        return buffer;
    }

    int fd_ = -1;
    Bytes consent_;
    mediatest::TestDtlsClient dtls_;
    std::optional<SrtpSession> out_;
    std::optional<SrtpSession> in_;
};

struct Participant {
    std::unique_ptr<WsClient> ws;
    std::string peerId;
    IceCredentials ice;
    MediaPeer media;
    std::string offer;
    std::uint16_t audioSequence = 0;
    std::uint16_t videoSequence = 0;
    std::uint32_t ssrcBase = 0;
    // Messages of interest, the latest kept.
    std::optional<json::object> forwarding;
    std::vector<json::object> speakers;

    // Reads what the server sent so far (briefly), keeping sfu-forwarding and active-speaker.
    void readSignaling() {
        while (auto text = ws->receive(200ms)) {
            auto message = json::parse(*text).as_object();
            const auto type = str(message["type"]);
            if (type == "sfu-forwarding") forwarding = message;
            if (type == "active-speaker") speakers.push_back(message);
        }
    }

    void sendAudio(std::uint8_t minusDbov) {
        const std::uint8_t mid[] = {'0'};
        const std::uint8_t level[] = {
            static_cast<std::uint8_t>(minusDbov == kSilence ? kSilence : (0x80 | minusDbov))};
        const RtpExtensionElement elements[] = {{kMidId, mid}, {kLevelId, level}};
        const std::uint8_t payload[20] = {0x78};
        Bytes out(300);
        const auto sequence = audioSequence++;
        out.resize(writeRtpPacket(out, {false, 111, sequence, 960U * sequence, ssrcBase, {}},
                                  elements, payload));
        media.sendRtp(out);
    }

    // Every camera packet is a whole VP8 key frame, so a resumed camera paints at once.
    void sendVideo() {
        const std::uint8_t mid[] = {'1'};
        const RtpExtensionElement elements[] = {{kMidId, mid}};
        Bytes payload(60, 0x42);
        payload[0] = 0x10;  // VP8 descriptor: start of partition 0
        payload[1] = 0x00;  // VP8 payload header: P bit clear, a key frame
        Bytes out(300);
        const auto sequence = videoSequence++;
        out.resize(writeRtpPacket(
            out, {true, 96, sequence, 9000U * sequence, 0xB0000000U + (ssrcBase & 0xFF), {}},
            elements, payload));
        media.sendRtp(out);
    }
};

}  // namespace

TEST(BigRoom, ThirtyPeersGetLastNCamerasAndTheThreeLoudestMicrophones) {
    ServerProcess server(Env{{"SFU_MODE", "always"}, {"VIDEO_LAST_N", std::to_string(kLastN)}});
    std::vector<std::unique_ptr<Participant>> people;
    for (int i = 0; i < kPeople; ++i) {
        auto person = std::make_unique<Participant>();
        person->ws = std::make_unique<WsClient>(server.port());
        person->ws->send(
            json::object{{"type", "join"},
                         {"roomId", "big-room"},
                         {"data", {{"name", "p" + std::to_string(i)}, {"sfu", true}}}});
        auto joined = person->ws->nextOfType("room-joined");
        ASSERT_EQ(str(joined["data"].as_object()["mode"]), "sfu");
        person->peerId = str(joined["peerId"]);
        person->ice = {"ufrag" + std::to_string(i), "password-of-participant-" + std::to_string(i)};
        person->offer = offerFor(i, person->ice, person->media.fingerprint());
        person->ssrcBase = 0xA0000000U + static_cast<std::uint32_t>(i);
        person->ws->send(json::object{{"type", "sfu-offer"}, {"sdp", person->offer}});
        auto answer = person->ws->nextOfType("sfu-answer", 10s);
        person->media.connect(str(answer["sdp"]), person->ice);
        people.push_back(std::move(person));
    }
    // Everyone publishes now: each offers again and receives everyone else.
    std::map<std::uint32_t, std::pair<std::string, std::string>> viewerSsrcs;  // -> peer, source
    for (int i = 0; i < kPeople; ++i) {
        auto& person = *people[static_cast<std::size_t>(i)];
        person.ws->send(json::object{{"type", "sfu-offer"}, {"sdp", person.offer}});
        auto answer = person.ws->nextOfType("sfu-answer", 10s);
        ASSERT_EQ(answer["tracks"].as_array().size(), 2U * (kPeople - 1)) << i;
        if (i != 0) continue;
        const auto sdp = std::get<SdpOffer>(parseSdpOffer(str(answer["sdp"])));
        for (const auto& track : answer["tracks"].as_array()) {
            const auto& entry = track.as_object();
            for (const auto& section : sdp.media)
                if (section.mid == str(entry.at("mid")) && !section.ssrcs.empty())
                    viewerSsrcs[section.ssrcs.front().ssrc] = {str(entry.at("peerId")),
                                                               str(entry.at("source"))};
        }
    }
    ASSERT_EQ(viewerSsrcs.size(), 2U * (kPeople - 1));
    const auto id = [&](int i) { return people[static_cast<std::size_t>(i)]->peerId; };
    auto& viewer = *people[0];
    auto& firstSpeaker = *people[20];
    firstSpeaker.media.drain();

    // Sends 20 ms of media from everyone: microphones at their level, cameras every 100 ms.
    int tickCount = 0;
    bool pliAtFirstSpeaker = false;
    const auto runFor = [&](Clock::duration length, const std::map<int, std::uint8_t>& levels,
                            auto&& onViewerPacket) {
        const auto end = Clock::now() + length;
        auto next = Clock::now();
        while (Clock::now() < end) {
            for (int i = 0; i < kPeople; ++i) {
                const auto level = levels.find(i);
                people[static_cast<std::size_t>(i)]->sendAudio(
                    level == levels.end() ? kSilence : level->second);
                if (tickCount % 5 == 0) people[static_cast<std::size_t>(i)]->sendVideo();
                if (tickCount % 50 == 0) people[static_cast<std::size_t>(i)]->media.keepConsent();
            }
            ++tickCount;
            for (auto& [rtcp, bytes] : viewer.media.drain()) onViewerPacket(rtcp, bytes);
            for (auto& [rtcp, bytes] : firstSpeaker.media.drain()) {
                if (!rtcp) continue;
                const auto compound = RtcpCompound::parse(bytes);
                if (!compound) continue;
                compound->forEach([&](const RtcpPacketView& packet) {
                    if (packet.packetType() == rtcp::kPayloadFeedback &&
                        packet.countOrFormat() == rtcp::kFmtPli)
                        pliAtFirstSpeaker = true;
                });
            }
            next += 20ms;
            std::this_thread::sleep_until(next);
        }
    };
    const auto ignore = [](bool, Bytes&) {};
    // Silence first, for longer than the key-frame request throttle (1 s): the requests made
    // when the consumers were created are over, so a resume's request goes out at once.
    runFor(1200ms, {}, ignore);
    firstSpeaker.media.drain();
    pliAtFirstSpeaker = false;
    // People 20, 21 and 22 speak in turn, 1.5 s each (longer than the speaker's minimum hold).
    runFor(1500ms, {{20, kSpeech}}, ignore);
    runFor(1500ms, {{21, kSpeech}}, ignore);
    runFor(1500ms, {{22, kSpeech}}, ignore);
    // Then all three speak, and person 7 too, less loudly: 7 is a fourth voice, dropped.
    std::set<std::string> heard, seen;
    const auto record = [&](bool rtcp, Bytes& bytes) {
        if (rtcp) return;
        const auto packet = RtpPacket::parse(bytes);
        if (!packet) return;
        const auto found = viewerSsrcs.find(packet->ssrc());
        if (found == viewerSsrcs.end()) return;
        (found->second.second == "microphone" ? heard : seen).insert(found->second.first);
    };
    const std::map<int, std::uint8_t> talking = {
        {20, kSpeech}, {21, kSpeech}, {22, kSpeech}, {7, 25}};
    runFor(500ms, talking, ignore);
    runFor(1500ms, talking, record);

    EXPECT_EQ(heard, (std::set<std::string>{id(20), id(21), id(22)}))
        << "above 16 people: only the 3 loudest microphones reach the viewer";
    EXPECT_EQ(seen, (std::set<std::string>{id(22), id(21), id(20), id(1)}))
        << "last-N: the 3 speakers, then the earliest arrival";
    EXPECT_TRUE(pliAtFirstSpeaker) << "a resumed camera's publisher is asked for a key frame";

    viewer.readSignaling();
    ASSERT_TRUE(viewer.forwarding);
    std::set<std::string> announced;
    for (const auto& video : (*viewer.forwarding)["video"].as_array()) {
        EXPECT_EQ(str(video.as_object().at("source")), "camera");
        announced.insert(str(video.as_object().at("peerId")));
    }
    EXPECT_EQ(announced, seen) << "sfu-forwarding names the cameras that flow";
    auto& bystander = *people[kPeople - 1];
    bystander.readSignaling();
    ASSERT_EQ(bystander.speakers.size(), 3U) << "each change once, to every member";
    EXPECT_EQ(str(bystander.speakers[0]["peerId"]), id(20));
    EXPECT_EQ(str(bystander.speakers[2]["peerId"]), id(22));
    EXPECT_GT(bystander.speakers[2]["level"].to_number<double>(), 0.05);
}
