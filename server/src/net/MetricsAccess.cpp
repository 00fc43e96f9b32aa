#include "net/MetricsAccess.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>

#include "auth/UpgradeAuth.hpp"

namespace pulsemeet::net {
namespace {

bool isPrivateV4(const boost::asio::ip::address_v4& address) {
    const auto bits = address.to_uint();
    return (bits >> 24) == 127 ||    // 127.0.0.0/8
           (bits >> 24) == 10 ||     // 10.0.0.0/8
           (bits >> 20) == 0xAC1 ||  // 172.16.0.0/12
           (bits >> 16) == 0xC0A8;   // 192.168.0.0/16
}

bool isPrivateV6(const boost::asio::ip::address_v6& address) {
    if (address.is_v4_mapped()) {
        return isPrivateV4(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address));
    }
    const auto bytes = address.to_bytes();
    return address.is_loopback() ||                          // ::1
           (bytes[0] & 0xFE) == 0xFC ||                      // fc00::/7
           (bytes[0] == 0xFE && (bytes[1] & 0xC0) == 0x80);  // fe80::/10
}

using Digest = std::array<unsigned char, 32>;

// Both sides are hashed before the constant-time compare, so neither the content nor the
// length of the token shows in how long a refusal takes.
Digest sha256(std::string_view text) {
    Digest digest{};
    unsigned int size = 0;
    EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha256(), nullptr);
    return digest;
}

}  // namespace

bool isPrivateNetworkAddress(const boost::asio::ip::address& address) {
    return address.is_v4() ? isPrivateV4(address.to_v4()) : isPrivateV6(address.to_v6());
}

MetricsVerdict metricsVerdict(const MetricsRequest& request, std::string_view token) {
    if (token.empty()) {
        return !request.proxied && isPrivateNetworkAddress(request.peer)
                   ? MetricsVerdict::allowed
                   : MetricsVerdict::forbidden;
    }
    // Only the header: a token in the query string would end up in access logs.
    const auto presented = auth::presentedToken({request.authorization, {}, {}});
    if (!presented) return MetricsVerdict::unauthorized;
    const Digest expected = sha256(token);
    const Digest given = sha256(*presented);
    return CRYPTO_memcmp(expected.data(), given.data(), expected.size()) == 0
               ? MetricsVerdict::allowed
               : MetricsVerdict::unauthorized;
}

}  // namespace pulsemeet::net
