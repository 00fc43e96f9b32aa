#include "net/TlsContext.hpp"

#include <openssl/ssl.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "config/Config.hpp"

namespace pulsemeet::net {

namespace ssl = boost::asio::ssl;

namespace {

void requireReadable(std::string_view variable, const std::string& file) {
    std::ifstream in(file);
    if (!in) {
        throw config::ConfigError(std::string(variable) + "=" + file +
                                  " cannot be read: " + std::strerror(errno));
    }
}

}  // namespace

std::unique_ptr<ssl::context> loadServerTls(const std::string& certFile,
                                            const std::string& keyFile) {
    requireReadable("TLS_CERT_FILE", certFile);
    requireReadable("TLS_KEY_FILE", keyFile);

    auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
    // TLS 1.2 and 1.3 only: every browser that has WebRTC speaks them.
    context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    // The key first: loading a certificate that does not match it then just drops the key, and
    // the check below names the mismatch instead of blaming either file's format.
    boost::system::error_code ec;
    context->use_private_key_file(keyFile, ssl::context::pem, ec);
    if (ec) {
        throw config::ConfigError("TLS_KEY_FILE=" + keyFile +
                                  " is not a PEM private key: " + ec.message());
    }
    context->use_certificate_chain_file(certFile, ec);
    if (ec) {
        throw config::ConfigError("TLS_CERT_FILE=" + certFile +
                                  " is not a PEM certificate chain: " + ec.message());
    }
    if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
        throw config::ConfigError(
            "TLS_KEY_FILE=" + keyFile +
            " does not belong to the certificate in TLS_CERT_FILE=" + certFile);
    }
    return context;
}

}  // namespace pulsemeet::net
