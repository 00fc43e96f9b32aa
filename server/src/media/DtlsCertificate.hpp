#pragma once

#include <memory>
#include <string>

// OpenSSL's types, declared here so that this header does not pull OpenSSL's headers in.
struct x509_st;
struct evp_pkey_st;

namespace pulsemeet::media {

// The media server's DTLS identity: a self-signed certificate on an ECDSA P-256 key, signed with
// SHA-256, as WebRTC endpoints use (RFC 8827 §6.5: the certificate is not checked against any
// authority; its fingerprint travels in the signed-in signaling channel instead). One per
// process or per media worker, made at start-up; every DtlsTransport presents it.
class DtlsCertificate {
  public:
    // A fresh key and certificate, valid from a day ago (clock skew) for 30 days. Throws
    // std::runtime_error when OpenSSL cannot make one: a start-up failure, not a packet-path one.
    static DtlsCertificate generate();

    // "AB:CD:...": the SHA-256 digest of the DER certificate, as `a=fingerprint:sha-256` writes it.
    const std::string& fingerprintSha256() const { return fingerprint_; }

    x509_st* certificate() const { return certificate_.get(); }
    evp_pkey_st* privateKey() const { return key_.get(); }

  private:
    struct FreeCertificate {
        void operator()(x509_st* certificate) const;
    };
    struct FreeKey {
        void operator()(evp_pkey_st* key) const;
    };

    DtlsCertificate(std::unique_ptr<evp_pkey_st, FreeKey> key,
                    std::unique_ptr<x509_st, FreeCertificate> certificate);

    std::unique_ptr<evp_pkey_st, FreeKey> key_;
    std::unique_ptr<x509_st, FreeCertificate> certificate_;
    std::string fingerprint_;
};

// The digest of `certificate` under `algorithm` ("sha-256", "sha-1", "sha-384"...) in the
// a=fingerprint form; empty when the algorithm is unknown.
std::string certificateFingerprint(x509_st* certificate, const std::string& algorithm);

}  // namespace pulsemeet::media
