#include "media/DtlsTransport.hpp"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>

#include "media/DtlsCertificate.hpp"
#include "media/DtlsContext.hpp"
#include "media/DtlsDatagramBio.hpp"

namespace pulsemeet::media {

namespace {

struct FreeSsl {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
};
struct FreeX509 {
    void operator()(X509* certificate) const { X509_free(certificate); }
};

constexpr char kExporterLabel[] = "EXTRACTOR-dtls_srtp";  // RFC 5764 §4.2

// Retransmission: 100 ms first, doubling, at most 4 s (OpenSSL's default starts at 1 s: a lost
// server flight would cost a second of call set-up).
unsigned int retransmitTimer(SSL*, unsigned int previousMicroseconds) {
    constexpr unsigned int kFirst = 100'000;
    constexpr unsigned int kMax = 4'000'000;
    if (previousMicroseconds == 0) return kFirst;
    return std::min(previousMicroseconds * 2, kMax);
}

std::optional<SrtpProfile> profileFromId(unsigned long id) {
    switch (id) {
        case SRTP_AEAD_AES_128_GCM:
            return SrtpProfile::aeadAes128Gcm;
        case SRTP_AEAD_AES_256_GCM:
            return SrtpProfile::aeadAes256Gcm;
        case SRTP_AES128_CM_SHA1_80:
            return SrtpProfile::aes128CmHmacSha1_80;
        default:
            return std::nullopt;
    }
}

// The first error OpenSSL queued for this thread, as text; the queue is left empty.
std::string takeOpenSslError() {
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0) return "unknown error";
    std::array<char, 256> text{};
    ERR_error_string_n(code, text.data(), text.size());
    return text.data();
}

}  // namespace

bool looksLikeDtls(std::span<const std::uint8_t> datagram) {
    return datagram.size() >= 13 && datagram[0] >= 20 && datagram[0] <= 63;
}

struct DtlsTransport::Impl {
    Impl(const DtlsContext& context, SdpFingerprint remote, Clock::time_point now, Options chosen)
        : options(chosen),
          remoteFingerprint(std::move(remote)),
          deadline(now + chosen.handshakeTimeout) {
        outgoing.maxDatagrams = options.maxQueuedDatagrams;
        ssl.reset(SSL_new(context.sslContext()));
        BIO* in = BIO_new(BIO_s_mem());
        BIO* out = BIO_new(context.datagramMethod());
        if (!ssl || !in || !out) {
            BIO_free(in);
            BIO_free(out);
            fail(Failure::protocolError, "out of memory");
            return;
        }
        // An empty read BIO means "wait for the next datagram", not end of file.
        BIO_set_mem_eof_return(in, -1);
        BIO_set_data(out, &outgoing);
        SSL_set_bio(ssl.get(), in, out);  // the SSL owns both from here
        SSL_set_accept_state(ssl.get());
        DTLS_set_link_mtu(ssl.get(), options.mtu);
        DTLS_set_timer_cb(ssl.get(), retransmitTimer);
    }

    void fail(Failure why, std::string reason) {
        state = State::failed;
        failure = why;
        failureReason = std::move(reason);
    }

    void receive(std::span<const std::uint8_t> datagram, Clock::time_point now) {
        ++counters.datagramsReceived;
        if ((state != State::connecting && state != State::connected) || !looksLikeDtls(datagram) ||
            datagram.size() > options.maxDatagramBytes) {
            ++counters.datagramsRefused;
            return;
        }
        if (state == State::connecting && now >= deadline) {
            fail(Failure::handshakeTimeout, "DTLS handshake not done in time");
            return;
        }
        ERR_clear_error();
        BIO* in = SSL_get_rbio(ssl.get());
        BIO_write(in, datagram.data(), static_cast<int>(datagram.size()));
        if (state == State::connecting) {
            advanceHandshake();
        } else {
            readApplicationData();
        }
        // Whatever OpenSSL did not take of this datagram is not kept for the next one.
        (void)BIO_reset(in);
    }

    void advanceHandshake() {
        const int result = SSL_do_handshake(ssl.get());
        if (result == 1) {
            finishHandshake();
            return;
        }
        settle(result, "DTLS handshake: ");
    }

    // An SSL call that did not complete: it waits for more records, or the peer's close_notify
    // or an error ends the transport.
    void settle(int result, std::string_view context) {
        switch (SSL_get_error(ssl.get(), result)) {
            case SSL_ERROR_WANT_READ:
            case SSL_ERROR_WANT_WRITE:
                ERR_clear_error();
                return;
            case SSL_ERROR_ZERO_RETURN:
                state = State::closed;
                return;
            default:
                fail(Failure::protocolError, std::string(context) + takeOpenSslError());
                return;
        }
    }

    // After the handshake only retransmitted handshake records (OpenSSL answers them) and
    // alerts arrive; we carry no application data over DTLS (no SCTP).
    void readApplicationData() {
        std::array<std::uint8_t, 2048> scratch{};
        for (;;) {
            const int result =
                SSL_read(ssl.get(), scratch.data(), static_cast<int>(scratch.size()));
            if (result > 0) continue;
            settle(result, "DTLS: ");
            return;
        }
    }

    void finishHandshake() {
        std::unique_ptr<X509, FreeX509> peer(SSL_get1_peer_certificate(ssl.get()));
        if (!peer) {
            fail(Failure::fingerprintMismatch, "the client sent no certificate");
            return;
        }
        const auto actual = certificateFingerprint(peer.get(), remoteFingerprint.algorithm);
        if (actual.empty() || actual != remoteFingerprint.value) {
            fail(Failure::fingerprintMismatch,
                 "the client's certificate does not match the offer's a=fingerprint");
            return;
        }
        const SRTP_PROTECTION_PROFILE* selected = SSL_get_selected_srtp_profile(ssl.get());
        const auto profile = selected ? profileFromId(selected->id) : std::nullopt;
        if (!profile) {
            fail(Failure::noSrtpProfile, "no SRTP profile negotiated");
            return;
        }
        // RFC 5764 §4.2: client key, server key, client salt, server salt. We are the server,
        // so the remote (client) key comes first.
        const auto [keyLength, saltLength] = srtpKeyLengths(*profile);
        std::vector<std::uint8_t> material(2 * (keyLength + saltLength));
        if (SSL_export_keying_material(ssl.get(), material.data(), material.size(), kExporterLabel,
                                       sizeof kExporterLabel - 1, nullptr, 0, 0) != 1) {
            fail(Failure::protocolError, "SRTP key export: " + takeOpenSslError());
            return;
        }
        SrtpKeyMaterial keys;
        keys.profile = *profile;
        const auto* clientKey = material.data();
        const auto* serverKey = clientKey + keyLength;
        const auto* clientSalt = serverKey + keyLength;
        const auto* serverSalt = clientSalt + saltLength;
        keys.remoteKeySalt.assign(clientKey, clientKey + keyLength);
        keys.remoteKeySalt.insert(keys.remoteKeySalt.end(), clientSalt, clientSalt + saltLength);
        keys.localKeySalt.assign(serverKey, serverKey + keyLength);
        keys.localKeySalt.insert(keys.localKeySalt.end(), serverSalt, serverSalt + saltLength);
        OPENSSL_cleanse(material.data(), material.size());
        srtpKeys = std::move(keys);
        state = State::connected;
    }

    std::optional<Clock::time_point> nextTimeout(Clock::time_point now) const {
        if (state != State::connecting) return std::nullopt;
        timeval remaining{};
        if (DTLSv1_get_timeout(ssl.get(), &remaining) == 1) {
            const auto retransmit = now + std::chrono::seconds(remaining.tv_sec) +
                                    std::chrono::microseconds(remaining.tv_usec);
            return std::min(retransmit, deadline);
        }
        return deadline;
    }

    void handleTimeout(Clock::time_point now) {
        if (state != State::connecting) return;
        if (now >= deadline) {
            fail(Failure::handshakeTimeout, "DTLS handshake not done in time");
            return;
        }
        ERR_clear_error();
        if (DTLSv1_handle_timeout(ssl.get()) < 0) {
            fail(Failure::protocolError, "DTLS retransmission: " + takeOpenSslError());
        }
    }

    void close() {
        if (state == State::connected) {
            ERR_clear_error();
            SSL_shutdown(ssl.get());
            ERR_clear_error();
        }
        if (state != State::failed) state = State::closed;
    }

    Options options;
    SdpFingerprint remoteFingerprint;
    Clock::time_point deadline;
    // Declared before `ssl`: the write BIO points at it, so it must outlive the SSL.
    DtlsDatagramQueue outgoing;
    std::unique_ptr<SSL, FreeSsl> ssl;
    State state = State::connecting;
    Failure failure = Failure::none;
    std::string failureReason;
    std::optional<SrtpKeyMaterial> srtpKeys;
    Counters counters;
};

DtlsTransport::DtlsTransport(const DtlsContext& context, SdpFingerprint remoteFingerprint,
                             Clock::time_point now, Options options)
    : impl_(std::make_unique<Impl>(context, std::move(remoteFingerprint), now, options)) {}

DtlsTransport::DtlsTransport(const DtlsContext& context, SdpFingerprint remoteFingerprint,
                             Clock::time_point now)
    : DtlsTransport(context, std::move(remoteFingerprint), now, Options{}) {}

DtlsTransport::~DtlsTransport() = default;
DtlsTransport::DtlsTransport(DtlsTransport&&) noexcept = default;
DtlsTransport& DtlsTransport::operator=(DtlsTransport&&) noexcept = default;

void DtlsTransport::receive(std::span<const std::uint8_t> datagram, Clock::time_point now) {
    impl_->receive(datagram, now);
}

std::optional<DtlsTransport::Clock::time_point> DtlsTransport::nextTimeout(
    Clock::time_point now) const {
    return impl_->nextTimeout(now);
}

void DtlsTransport::handleTimeout(Clock::time_point now) {
    impl_->handleTimeout(now);
}

void DtlsTransport::close() {
    impl_->close();
}

std::vector<std::vector<std::uint8_t>> DtlsTransport::takeOutgoing() {
    std::vector<std::vector<std::uint8_t>> datagrams(
        std::make_move_iterator(impl_->outgoing.datagrams.begin()),
        std::make_move_iterator(impl_->outgoing.datagrams.end()));
    impl_->outgoing.datagrams.clear();
    return datagrams;
}

DtlsTransport::State DtlsTransport::state() const {
    return impl_->state;
}
DtlsTransport::Failure DtlsTransport::failure() const {
    return impl_->failure;
}
const std::string& DtlsTransport::failureReason() const {
    return impl_->failureReason;
}
const std::optional<SrtpKeyMaterial>& DtlsTransport::srtpKeys() const {
    return impl_->srtpKeys;
}

DtlsTransport::Counters DtlsTransport::counters() const {
    auto counters = impl_->counters;
    counters.datagramsDropped = impl_->outgoing.dropped;
    return counters;
}

}  // namespace pulsemeet::media
