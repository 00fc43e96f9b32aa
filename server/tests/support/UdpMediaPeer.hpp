#pragma once

// A browser's media connection for integration tests, over a real UDP socket on 127.0.0.1: ICE
// (a controlling binding request with USE-CANDIDATE), DTLS as client and SRTP (AES-128-GCM).
// Blocking: one thread sends with it, and receiving may run on another (SRTP sessions are per
// direction). Offers come from ChromeLikeOffer.hpp.
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "ChromeLikeOffer.hpp"
#include "ConnectedUdpSocket.hpp"
#include "DtlsSrtpClient.hpp"
#include "MediaTestClient.hpp"

namespace pulsemeet::media::mediatest {

class UdpMediaPeer {
  public:
    struct Packet {
        bool rtcp = false;
        Bytes plain;
    };

    // The socket opens in connect(), towards the answer's candidate port.
    UdpMediaPeer() = default;
    // The socket opens now, towards `serverPort` (a test that sends before it has an answer).
    explicit UdpMediaPeer(std::uint16_t serverPort) { socket_.emplace(serverPort); }

    SdpFingerprint fingerprint() const { return session_.fingerprint(); }

    // ICE with the answer's credentials, then DTLS, then the SRTP keys; throws on failure.
    void connect(const std::string& answerSdp, const IceCredentials& ours) {
        const auto parsed = parseSdpOffer(answerSdp);
        const auto* answer = std::get_if<SdpOffer>(&parsed);
        if (answer == nullptr || answer->media.empty()) throw std::runtime_error("bad answer");
        if (!socket_) socket_.emplace(candidatePort(answerSdp));
        const auto& server = answer->media.front();
        consent_ = stunBindingRequest(server.iceUfrag, ours.ufrag, server.icePwd, false);
        socket_->send(stunBindingRequest(server.iceUfrag, ours.ufrag, server.icePwd, true));
        session_.handshake(*socket_, std::chrono::seconds(10));
    }

    // A binding request on the selected pair, as a browser sends for consent (RFC 7675).
    void keepConsent() { socket_->send(consent_); }

    void sendRtp(const Bytes& plain) { socket_->send(session_.protect(plain, false)); }
    void sendRtcp(std::span<const std::uint8_t> plain) {
        socket_->send(session_.protect(Bytes(plain.begin(), plain.end()), true));
    }
    // Unprotected, as a stranger would.
    void sendRaw(const Bytes& datagram) { socket_->send(datagram); }
    template <typename Rep, typename Period>
    std::optional<Bytes> receiveRaw(std::chrono::duration<Rep, Period> wait) {
        return socket_->receive(wait);
    }

    // The next RTP/RTCP packet that satisfies `wanted`, within `wait`; what does not
    // authenticate (or is not RTP/RTCP) is skipped.
    template <typename Predicate>
    std::optional<Packet> receiveUntil(
        Predicate wanted, std::chrono::steady_clock::duration wait = std::chrono::seconds(5)) {
        const auto deadline = std::chrono::steady_clock::now() + wait;
        while (std::chrono::steady_clock::now() < deadline) {
            auto packet = next(std::chrono::milliseconds(20));
            if (packet && wanted(*packet)) return packet;
        }
        return std::nullopt;
    }

    // The next plain RTP packet within `wait` (RTCP and anything else is skipped).
    std::optional<Bytes> receiveRtp(std::chrono::steady_clock::duration wait) {
        auto packet = receiveUntil([](const Packet& p) { return !p.rtcp; }, wait);
        if (!packet) return std::nullopt;
        return std::move(packet->plain);
    }

    // Every packet waiting now, unprotected: (rtcp?, bytes).
    std::vector<std::pair<bool, Bytes>> drain() {
        std::vector<std::pair<bool, Bytes>> out;
        while (auto datagram = socket_->receive(std::chrono::milliseconds(0))) {
            if (auto packet = unprotect(std::move(*datagram)))
                out.emplace_back(packet->rtcp, std::move(packet->plain));
        }
        return out;
    }

  private:
    std::optional<Packet> next(std::chrono::milliseconds wait) {
        auto datagram = socket_->receive(wait);
        if (!datagram) return std::nullopt;
        return unprotect(std::move(*datagram));
    }

    // RFC 7983: RTP and RTCP start at 128; RFC 5761: payload types 192-223 are RTCP.
    std::optional<Packet> unprotect(Bytes datagram) {
        if (datagram.size() < 2 || datagram[0] < 128) return std::nullopt;
        const bool rtcp = datagram[1] >= 192 && datagram[1] <= 223;
        auto plain = session_.unprotect(std::move(datagram), rtcp);
        if (!plain) return std::nullopt;
        return Packet{rtcp, std::move(*plain)};
    }

    std::optional<ConnectedUdpSocket> socket_;
    DtlsSrtpClient session_;
    Bytes consent_;
};

}  // namespace pulsemeet::media::mediatest
