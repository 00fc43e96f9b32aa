#include "auth/TurnCredentials.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace pulsemeet::auth {

std::string turnRestPassword(std::string_view secret, std::string_view username) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int length = 0;
    HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(username.data()), username.size(), mac.data(),
         &length);
    // EVP_EncodeBlock writes 4 characters per 3 bytes, then a terminating NUL.
    std::string encoded(4 * ((length + 2) / 3) + 1, '\0');
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                        mac.data(), static_cast<int>(length));
    encoded.resize(static_cast<std::size_t>(written));
    return encoded;
}

TurnCredential turnRestCredential(std::string_view secret, std::string_view who,
                                  std::chrono::system_clock::time_point expiry) {
    const auto unixExpiry =
        std::chrono::duration_cast<std::chrono::seconds>(expiry.time_since_epoch()).count();
    std::string username = std::to_string(unixExpiry) + ":" + std::string(who);
    std::string credential = turnRestPassword(secret, username);
    return {std::move(username), std::move(credential)};
}

}  // namespace pulsemeet::auth
