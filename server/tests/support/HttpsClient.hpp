#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "ServerProcess.hpp"

namespace pulsemeet::testing {

// A GET over HTTPS to 127.0.0.1:port, trusting only the PEM certificate in `caFile` and checking
// that it names 127.0.0.1. Throws when the handshake or the verification fails.
HttpResult httpsGet(std::uint16_t port, const std::string& target, const std::string& caFile,
                    const std::map<std::string, std::string>& headers = {});

}  // namespace pulsemeet::testing
