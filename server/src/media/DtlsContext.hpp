#pragma once

#include <memory>
#include <string>

#include "media/DtlsCertificate.hpp"

// OpenSSL's types, declared here so that this header does not pull OpenSSL's headers in.
struct ssl_ctx_st;
struct bio_method_st;

namespace pulsemeet::media {

// What every DtlsTransport of a process (or media worker) shares: one OpenSSL context set up as
// a DTLS 1.2 server presenting our certificate, asking for the client's, and offering the SRTP
// profiles in our order; and the BIO method that turns OpenSSL's writes into datagrams. Made at
// start-up; throws std::runtime_error when OpenSSL refuses the set-up.
class DtlsContext {
  public:
    explicit DtlsContext(DtlsCertificate certificate);
    ~DtlsContext();
    DtlsContext(const DtlsContext&) = delete;
    DtlsContext& operator=(const DtlsContext&) = delete;

    ssl_ctx_st* sslContext() const { return context_.get(); }
    bio_method_st* datagramMethod() const { return datagramMethod_.get(); }
    // For the answer's a=fingerprint.
    const std::string& fingerprintSha256() const { return certificate_.fingerprintSha256(); }

  private:
    struct FreeContext {
        void operator()(ssl_ctx_st* context) const;
    };
    struct FreeMethod {
        void operator()(bio_method_st* method) const;
    };

    DtlsCertificate certificate_;
    std::unique_ptr<ssl_ctx_st, FreeContext> context_;
    std::unique_ptr<bio_method_st, FreeMethod> datagramMethod_;
};

}  // namespace pulsemeet::media
