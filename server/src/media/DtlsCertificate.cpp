#include "media/DtlsCertificate.hpp"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <array>
#include <stdexcept>

namespace pulsemeet::media {

namespace {

struct FreeBignum {
    void operator()(BIGNUM* number) const { BN_free(number); }
};

constexpr long kSecondsPerDay = 24 * 60 * 60;

}  // namespace

void DtlsCertificate::FreeCertificate::operator()(x509_st* certificate) const {
    X509_free(certificate);
}

void DtlsCertificate::FreeKey::operator()(evp_pkey_st* key) const {
    EVP_PKEY_free(key);
}

DtlsCertificate::DtlsCertificate(std::unique_ptr<evp_pkey_st, FreeKey> key,
                                 std::unique_ptr<x509_st, FreeCertificate> certificate)
    : key_(std::move(key)),
      certificate_(std::move(certificate)),
      fingerprint_(certificateFingerprint(certificate_.get(), "sha-256")) {}

DtlsCertificate DtlsCertificate::generate() {
    const auto fail = [](const char* what) {
        throw std::runtime_error(std::string("DTLS certificate: ") + what);
    };
    std::unique_ptr<evp_pkey_st, FreeKey> key(EVP_EC_gen("prime256v1"));
    if (!key) fail("EVP_EC_gen(prime256v1) failed");

    std::unique_ptr<x509_st, FreeCertificate> certificate(X509_new());
    if (!certificate) fail("X509_new failed");
    X509* cert = certificate.get();

    // A random 64-bit serial: two certificates from one process never share one.
    std::array<unsigned char, 8> serialBytes{};
    if (RAND_bytes(serialBytes.data(), static_cast<int>(serialBytes.size())) != 1) {
        fail("RAND_bytes failed");
    }
    serialBytes[0] &= 0x7f;  // positive
    std::unique_ptr<BIGNUM, FreeBignum> serial(
        BN_bin2bn(serialBytes.data(), static_cast<int>(serialBytes.size()), nullptr));
    if (!serial || !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert))) {
        fail("serial number");
    }
    if (X509_set_version(cert, X509_VERSION_3) != 1) fail("X509_set_version");
    if (!X509_gmtime_adj(X509_getm_notBefore(cert), -kSecondsPerDay) ||
        !X509_gmtime_adj(X509_getm_notAfter(cert), 30 * kSecondsPerDay)) {
        fail("validity");
    }
    X509_NAME* name = X509_get_subject_name(cert);
    const auto* commonName = reinterpret_cast<const unsigned char*>("pulsemeet");
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, commonName, -1, -1, 0) != 1 ||
        X509_set_issuer_name(cert, name) != 1) {
        fail("subject name");
    }
    if (X509_set_pubkey(cert, key.get()) != 1) fail("X509_set_pubkey");
    if (X509_sign(cert, key.get(), EVP_sha256()) <= 0) fail("X509_sign");
    return DtlsCertificate(std::move(key), std::move(certificate));
}

std::string certificateFingerprint(x509_st* certificate, const std::string& algorithm) {
    const EVP_MD* digest = nullptr;
    if (algorithm == "sha-1") digest = EVP_sha1();
    if (algorithm == "sha-224") digest = EVP_sha224();
    if (algorithm == "sha-256") digest = EVP_sha256();
    if (algorithm == "sha-384") digest = EVP_sha384();
    if (algorithm == "sha-512") digest = EVP_sha512();
    if (!digest || !certificate) return {};
    std::array<unsigned char, EVP_MAX_MD_SIZE> bytes{};
    unsigned int length = 0;
    if (X509_digest(certificate, digest, bytes.data(), &length) != 1) return {};
    std::string text;
    text.reserve(length * 3);
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (unsigned int i = 0; i < length; ++i) {
        if (i) text += ':';
        text += kHex[bytes[i] >> 4];
        text += kHex[bytes[i] & 0x0f];
    }
    return text;
}

}  // namespace pulsemeet::media
