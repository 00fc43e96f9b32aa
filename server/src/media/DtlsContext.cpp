#include "media/DtlsContext.hpp"

#include <openssl/bio.h>
#include <openssl/ssl.h>

#include <stdexcept>

#include "media/DtlsDatagramBio.hpp"

namespace pulsemeet::media {

namespace {

// ECDHE with ECDSA (our certificate is P-256), AEAD first; what Chrome offers.
constexpr const char* kCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA";
// Our preference order (OpenSSL's server picks its first that the client offers).
constexpr const char* kSrtpProfiles =
    "SRTP_AEAD_AES_128_GCM:SRTP_AEAD_AES_256_GCM:SRTP_AES128_CM_SHA1_80";
// The largest certificate chain we buffer from a client: a WebRTC client sends one small
// self-signed certificate (Chrome's is under 1 KB); OpenSSL's default is 100 KB.
constexpr long kMaxPeerCertificateBytes = 16 * 1024;

// The client's certificate is self-signed by design (RFC 8827 §6.5): it is accepted here and
// checked against the offer's a=fingerprint once the handshake is done (DtlsTransport).
int acceptSelfSigned(int, X509_STORE_CTX*) {
    return 1;
}

}  // namespace

void DtlsContext::FreeContext::operator()(ssl_ctx_st* context) const {
    SSL_CTX_free(context);
}
void DtlsContext::FreeMethod::operator()(bio_method_st* method) const {
    BIO_meth_free(method);
}

DtlsContext::DtlsContext(DtlsCertificate certificate)
    : certificate_(std::move(certificate)),
      context_(SSL_CTX_new(DTLS_server_method())),
      datagramMethod_(makeDatagramBioMethod()) {
    const auto fail = [](const char* what) {
        throw std::runtime_error(std::string("DTLS context: ") + what);
    };
    SSL_CTX* context = context_.get();
    if (!context || !datagramMethod_) fail("out of memory");
    if (SSL_CTX_set_min_proto_version(context, DTLS1_2_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(context, DTLS1_2_VERSION) != 1) {
        fail("DTLS 1.2");
    }
    if (SSL_CTX_use_certificate(context, certificate_.certificate()) != 1 ||
        SSL_CTX_use_PrivateKey(context, certificate_.privateKey()) != 1 ||
        SSL_CTX_check_private_key(context) != 1) {
        fail("certificate");
    }
    if (SSL_CTX_set_cipher_list(context, kCiphers) != 1) fail("cipher list");
    // Returns 0 on success, unlike most of OpenSSL.
    if (SSL_CTX_set_tlsext_use_srtp(context, kSrtpProfiles) != 0) fail("SRTP profiles");
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                       acceptSelfSigned);
    SSL_CTX_set_max_cert_list(context, kMaxPeerCertificateBytes);
    // The MTU is set per connection (no socket to query); one handshake per connection, no
    // resumption.
    SSL_CTX_set_options(context,
                        SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
}

DtlsContext::~DtlsContext() = default;

}  // namespace pulsemeet::media
