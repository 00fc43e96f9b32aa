#pragma once

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>

namespace pulsemeet::net {

// The server side of TLS, built once at start-up from TLS_CERT_FILE and TLS_KEY_FILE.
// Throws config::ConfigError with one line naming the variable when a file cannot be read, is
// not PEM of the right kind, or the key does not belong to the certificate: a server that
// cannot serve what it was told to must not start.
std::unique_ptr<boost::asio::ssl::context> loadServerTls(const std::string& certFile,
                                                         const std::string& keyFile);

}  // namespace pulsemeet::net
