#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace pulsemeet::media {

// The SRTP protection profiles the media server negotiates in DTLS (RFC 5764, RFC 7714), in
// its order of preference: AES-GCM first, measured about 5x cheaper per packet than AES-CM with
// HMAC-SHA1 on this kind of machine (docs/architecture.md, "Media: DTLS, SRTP, SDP").
enum class SrtpProfile { aeadAes128Gcm, aeadAes256Gcm, aes128CmHmacSha1_80 };

struct SrtpKeyLengths {
    std::size_t key;
    std::size_t salt;
};

constexpr SrtpKeyLengths srtpKeyLengths(SrtpProfile profile) {
    switch (profile) {
        case SrtpProfile::aeadAes128Gcm:
            return {16, 12};
        case SrtpProfile::aeadAes256Gcm:
            return {32, 12};
        case SrtpProfile::aes128CmHmacSha1_80:
            return {16, 14};
    }
    return {16, 14};
}

// The profile's name in OpenSSL's use_srtp list and in logs.
constexpr std::string_view toString(SrtpProfile profile) {
    switch (profile) {
        case SrtpProfile::aeadAes128Gcm:
            return "SRTP_AEAD_AES_128_GCM";
        case SrtpProfile::aeadAes256Gcm:
            return "SRTP_AEAD_AES_256_GCM";
        case SrtpProfile::aes128CmHmacSha1_80:
            return "SRTP_AES128_CM_SHA1_80";
    }
    return "SRTP_AES128_CM_SHA1_80";
}

// What a finished DTLS handshake hands to the SRTP sessions: each side's master key followed by
// its master salt, as libsrtp takes them. Local protects what we send, remote unprotects what
// we receive.
struct SrtpKeyMaterial {
    SrtpProfile profile = SrtpProfile::aeadAes128Gcm;
    std::vector<std::uint8_t> localKeySalt;
    std::vector<std::uint8_t> remoteKeySalt;
};

}  // namespace pulsemeet::media
