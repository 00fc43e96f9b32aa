#pragma once

// The browser's half of a media connection once ICE has picked the pair: the DTLS handshake as
// client over any datagram channel (UDP, or RFC 4571 frames over TCP), then SRTP (AES-128-GCM)
// both ways. A channel is anything with `send(const Bytes&)` and `receive(wait)` returning
// `std::optional<Bytes>`.
#include <chrono>
#include <optional>
#include <stdexcept>

#include "MediaTestClient.hpp"
#include "media/SrtpSession.hpp"

namespace pulsemeet::media::mediatest {

class DtlsSrtpClient {
  public:
    DtlsSrtpClient() : dtls_("SRTP_AEAD_AES_128_GCM") {}

    SdpFingerprint fingerprint() const { return dtls_.fingerprint(); }
    std::string peerFingerprint() const { return dtls_.peerFingerprint(); }
    bool connected() const { return out_.has_value(); }

    // The client speaks first; every flight of the server answers one of ours. Throws when the
    // handshake does not finish within `wait` or no SRTP keys come out of it.
    template <typename Channel>
    void handshake(Channel& channel, std::chrono::steady_clock::duration wait) {
        const auto deadline = std::chrono::steady_clock::now() + wait;
        while (!dtls_.done() && std::chrono::steady_clock::now() < deadline) {
            for (const auto& record : dtls_.step()) channel.send(record);
            if (dtls_.done()) break;
            // RFC 7983: 20-63 is DTLS; anything else that arrives now (STUN) is not for it.
            if (auto datagram = channel.receive(std::chrono::milliseconds(100));
                datagram && !datagram->empty() && (*datagram)[0] >= 20 && (*datagram)[0] <= 63)
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

    Bytes protect(const Bytes& plain, bool rtcp) {
        Bytes wire(plain.size() + SrtpSession::kMaxProtectOverhead);
        std::copy(plain.begin(), plain.end(), wire.begin());
        const auto result =
            rtcp ? out_->protectRtcp(wire, plain.size()) : out_->protectRtp(wire, plain.size());
        if (result.status != SrtpStatus::ok) throw std::runtime_error("SRTP protect");
        wire.resize(result.length);
        return wire;
    }

    // The plain packet, or nothing when it does not authenticate (or is not SRTP/SRTCP).
    std::optional<Bytes> unprotect(Bytes datagram, bool rtcp) {
        const auto result = rtcp ? in_->unprotectRtcp(datagram) : in_->unprotectRtp(datagram);
        if (result.status != SrtpStatus::ok) return std::nullopt;
        datagram.resize(result.length);
        return datagram;
    }

  private:
    TestDtlsClient dtls_;
    std::optional<SrtpSession> out_;
    std::optional<SrtpSession> in_;
};

}  // namespace pulsemeet::media::mediatest
