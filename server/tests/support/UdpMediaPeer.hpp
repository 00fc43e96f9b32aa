#pragma once

// A browser's media connection for integration tests, over a real UDP socket on 127.0.0.1: ICE
// (a controlling binding request with USE-CANDIDATE), DTLS as client and SRTP (AES-128-GCM), with
// the pieces of MediaTestClient.hpp. Blocking and single-threaded per peer: one thread sends with
// it, and receive() may run on another (SRTP sessions are per direction). Also the smallest
// Chrome-like offer a publisher or a subscriber makes.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "MediaTestClient.hpp"
#include "media/IceLiteServer.hpp"
#include "media/SdpOffer.hpp"
#include "media/SrtpSession.hpp"

namespace pulsemeet::media::mediatest {

struct OfferSection {
    std::string kind;       // "audio" | "video"
    std::string mid;        // also what the mid extension (id 4) carries
    std::string direction;  // "sendonly" | "recvonly"
    std::uint32_t ssrc = 0;
};

// One BUNDLE group; VP8 96 with nack/pli, Opus 111; the mid extension as id 4; no rtx.
inline std::string chromeLikeOffer(const IceCredentials& ice, const SdpFingerprint& fingerprint,
                                   const std::vector<OfferSection>& sections) {
    std::string sdp = "v=0\r\no=- 42 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE";
    for (const auto& s : sections) sdp += " " + s.mid;
    sdp += "\r\na=msid-semantic: WMS\r\n";
    for (const auto& s : sections) {
        const bool video = s.kind == "video";
        sdp += "m=" + s.kind + " 9 UDP/TLS/RTP/SAVPF " + (video ? "96" : "111") + "\r\n";
        sdp += "c=IN IP4 0.0.0.0\r\na=ice-ufrag:" + ice.ufrag + "\r\na=ice-pwd:" + ice.password +
               "\r\na=fingerprint:" + fingerprint.algorithm + " " + fingerprint.value +
               "\r\na=setup:actpass\r\na=mid:" + s.mid + "\r\n";
        sdp += "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n";
        sdp += "a=" + s.direction + "\r\na=rtcp-mux\r\na=rtcp-rsize\r\n";
        if (video)
            sdp += "a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\n";
        else
            sdp += "a=rtpmap:111 opus/48000/2\r\n";
        if (s.ssrc != 0) sdp += "a=ssrc:" + std::to_string(s.ssrc) + " cname:test\r\n";
    }
    return sdp;
}

// A UDP socket on 127.0.0.1 connected to `port`, with a deep receive buffer.
inline int connectedUdpSocket(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in server{};
    server.sin_family = AF_INET;
    server.sin_port = htons(port);
    server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int buffer = 4 << 20;
    if (fd < 0 || ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer) != 0 ||
        ::connect(fd, reinterpret_cast<const sockaddr*>(&server), sizeof server) != 0) {
        if (fd >= 0) ::close(fd);
        throw std::runtime_error("udp socket");
    }
    return fd;
}

class UdpMediaPeer {
  public:
    explicit UdpMediaPeer(std::uint16_t serverPort)
        : fd_(connectedUdpSocket(serverPort)), dtls_("SRTP_AEAD_AES_128_GCM") {}
    ~UdpMediaPeer() { ::close(fd_); }
    UdpMediaPeer(const UdpMediaPeer&) = delete;
    UdpMediaPeer& operator=(const UdpMediaPeer&) = delete;

    SdpFingerprint fingerprint() const { return dtls_.fingerprint(); }

    // ICE with the answer's credentials, then DTLS, then the SRTP keys; throws on failure.
    void connect(const std::string& answerSdp, const IceCredentials& ours) {
        const auto parsed = parseSdpOffer(answerSdp);
        const auto* answer = std::get_if<SdpOffer>(&parsed);
        if (answer == nullptr || answer->media.empty()) throw std::runtime_error("bad answer");
        const auto& server = answer->media.front();
        sendRaw(stunBindingRequest(server.iceUfrag, ours.ufrag, server.icePwd, true));
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!dtls_.done() && std::chrono::steady_clock::now() < deadline) {
            for (const auto& datagram : dtls_.step()) sendRaw(datagram);
            if (dtls_.done()) break;
            if (auto datagram = receiveRaw(std::chrono::milliseconds(100));
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

    void sendRtp(const Bytes& plain) {
        Bytes wire(plain.size() + SrtpSession::kMaxProtectOverhead);
        std::copy(plain.begin(), plain.end(), wire.begin());
        const auto result = out_->protectRtp(wire, plain.size());
        if (result.status != SrtpStatus::ok) throw std::runtime_error("protect");
        wire.resize(result.length);
        sendRaw(wire);
    }

    // The next plain RTP packet within `wait` (RTCP and anything else is skipped).
    std::optional<Bytes> receiveRtp(std::chrono::milliseconds wait) {
        const auto deadline = std::chrono::steady_clock::now() + wait;
        while (std::chrono::steady_clock::now() < deadline) {
            auto datagram = receiveRaw(std::chrono::milliseconds(20));
            if (!datagram || datagram->size() < 12 || (*datagram)[0] < 128) continue;
            if ((*datagram)[1] >= 192 && (*datagram)[1] <= 223) continue;  // RTCP
            const auto result = in_->unprotectRtp(*datagram);
            if (result.status != SrtpStatus::ok) continue;
            datagram->resize(result.length);
            return datagram;
        }
        return std::nullopt;
    }

    void sendRaw(const Bytes& datagram) {
        if (::send(fd_, datagram.data(), datagram.size(), 0) !=
            static_cast<ssize_t>(datagram.size()))
            throw std::runtime_error("send");
    }

    std::optional<Bytes> receiveRaw(std::chrono::milliseconds wait) {
        pollfd descriptor{fd_, POLLIN, 0};
        if (::poll(&descriptor, 1, static_cast<int>(wait.count())) != 1) return std::nullopt;
        Bytes buffer(2048);
        const auto size = ::recv(fd_, buffer.data(), buffer.size(), 0);
        if (size < 0) return std::nullopt;
        buffer.resize(static_cast<std::size_t>(size));
        return buffer;
    }

  private:
    int fd_;
    TestDtlsClient dtls_;
    std::optional<SrtpSession> out_;
    std::optional<SrtpSession> in_;
};

}  // namespace pulsemeet::media::mediatest
