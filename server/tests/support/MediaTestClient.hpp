#pragma once

// The browser's side of a media transport, for tests: an OpenSSL DTLS client over memory (its own
// self-signed certificate, the SRTP profiles it offers) and a STUN binding request as Chrome
// sends it. Header-only so that unit tests (no sockets) and integration tests (real UDP) share
// it.
#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "media/DtlsCertificate.hpp"
#include "media/SdpOffer.hpp"
#include "media/SrtpProfile.hpp"
#include "media/StunMessage.hpp"

namespace pulsemeet::media::mediatest {

using Bytes = std::vector<std::uint8_t>;

// A plain RTP packet: V=2, PT 96, the given sequence number and SSRC, timestamp 0x1234, and
// `payloadBytes` bytes counting up from 0.
inline Bytes rtpPacket(std::uint16_t sequence, std::uint32_t ssrc, std::size_t payloadBytes) {
    Bytes packet = {0x80,
                    0x60,
                    static_cast<std::uint8_t>(sequence >> 8),
                    static_cast<std::uint8_t>(sequence),
                    0,
                    0,
                    0x12,
                    0x34,
                    static_cast<std::uint8_t>(ssrc >> 24),
                    static_cast<std::uint8_t>(ssrc >> 16),
                    static_cast<std::uint8_t>(ssrc >> 8),
                    static_cast<std::uint8_t>(ssrc)};
    for (std::size_t i = 0; i < payloadBytes; ++i) packet.push_back(static_cast<std::uint8_t>(i));
    return packet;
}

struct FreeSslContext {
    void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
};
struct FreeSsl {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
};

// A DTLS client as a browser would be: its own self-signed certificate, the SRTP profiles it
// offers, memory BIOs. What it writes in one step is handed over as one datagram.
class TestDtlsClient {
  public:
    explicit TestDtlsClient(const char* srtpProfiles)
        : certificate_(DtlsCertificate::generate()), context_(SSL_CTX_new(DTLS_client_method())) {
        SSL_CTX_use_certificate(context_.get(), certificate_.certificate());
        SSL_CTX_use_PrivateKey(context_.get(), certificate_.privateKey());
        SSL_CTX_set_verify(context_.get(), SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
        if (srtpProfiles) SSL_CTX_set_tlsext_use_srtp(context_.get(), srtpProfiles);
        ssl_.reset(SSL_new(context_.get()));
        in_ = BIO_new(BIO_s_mem());
        out_ = BIO_new(BIO_s_mem());
        BIO_set_mem_eof_return(in_, -1);
        SSL_set_bio(ssl_.get(), in_, out_);
        SSL_set_connect_state(ssl_.get());
    }

    SdpFingerprint fingerprint() const { return {"sha-256", certificate_.fingerprintSha256()}; }

    // Runs the handshake as far as it goes and returns what it wrote, if anything.
    std::vector<Bytes> step() {
        if (SSL_do_handshake(ssl_.get()) == 1) done_ = true;
        std::vector<Bytes> datagrams;
        const auto pending = BIO_ctrl_pending(out_);
        if (pending > 0) {
            Bytes datagram(pending);
            BIO_read(out_, datagram.data(), static_cast<int>(datagram.size()));
            datagrams.push_back(std::move(datagram));
        }
        return datagrams;
    }

    void receive(const Bytes& datagram) {
        BIO_write(in_, datagram.data(), static_cast<int>(datagram.size()));
    }

    bool done() const { return done_; }
    std::string peerFingerprint() const {
        std::unique_ptr<X509, decltype(&X509_free)> peer(SSL_get1_peer_certificate(ssl_.get()),
                                                         X509_free);
        return certificateFingerprint(peer.get(), "sha-256");
    }

    // The client's view of the keys: its own key and salt first (RFC 5764 §4.2).
    SrtpKeyMaterial exportKeys(SrtpProfile profile) const {
        const auto [key, salt] = srtpKeyLengths(profile);
        Bytes material(2 * (key + salt));
        const char label[] = "EXTRACTOR-dtls_srtp";
        SSL_export_keying_material(ssl_.get(), material.data(), material.size(), label,
                                   sizeof label - 1, nullptr, 0, 0);
        SrtpKeyMaterial keys;
        keys.profile = profile;
        keys.localKeySalt.assign(material.begin(), material.begin() + key);
        keys.localKeySalt.insert(keys.localKeySalt.end(), material.begin() + 2 * key,
                                 material.begin() + 2 * key + salt);
        keys.remoteKeySalt.assign(material.begin() + key, material.begin() + 2 * key);
        keys.remoteKeySalt.insert(keys.remoteKeySalt.end(), material.begin() + 2 * key + salt,
                                  material.end());
        return keys;
    }

    const char* selectedProfile() const {
        const auto* profile = SSL_get_selected_srtp_profile(ssl_.get());
        return profile ? profile->name : "";
    }

  private:
    DtlsCertificate certificate_;
    std::unique_ptr<SSL_CTX, FreeSslContext> context_;
    std::unique_ptr<SSL, FreeSsl> ssl_;
    BIO* in_ = nullptr;   // owned by ssl_
    BIO* out_ = nullptr;  // owned by ssl_
    bool done_ = false;
};

// A binding request as a controlling full agent sends it (RFC 8445 §7.2.2): USERNAME
// "serverUfrag:clientUfrag", PRIORITY, ICE-CONTROLLING, optionally USE-CANDIDATE,
// MESSAGE-INTEGRITY keyed with the server's password, FINGERPRINT.
inline Bytes stunBindingRequest(std::string_view serverUfrag, std::string_view clientUfrag,
                                std::string_view serverPassword, bool useCandidate,
                                std::uint8_t transactionSeed = 1) {
    Bytes buffer(512);
    stun::TransactionId transactionId{};
    for (std::size_t i = 0; i < transactionId.size(); ++i)
        transactionId[i] = static_cast<std::uint8_t>(transactionSeed + i);
    const std::string username = std::string(serverUfrag) + ":" + std::string(clientUfrag);
    StunMessageWriter writer(buffer, StunClass::request, stun::kMethodBinding, transactionId);
    writer.addString(stun::kAttrUsername, username)
        .addU32(stun::kAttrPriority, 0x6E7F1EFF)
        .addU64(stun::kAttrIceControlling, 0x1122334455667788ULL);
    if (useCandidate) writer.addFlag(stun::kAttrUseCandidate);
    writer.addMessageIntegrity(serverPassword).addFingerprint();
    const auto bytes = writer.bytes();
    return Bytes(bytes.begin(), bytes.end());
}

}  // namespace pulsemeet::media::mediatest
