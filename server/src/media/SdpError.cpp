#include "media/SdpError.hpp"

namespace pulsemeet::media {

std::string_view toString(SdpErrorCode code) {
    switch (code) {
        case SdpErrorCode::tooLarge:
            return "sdp-too-large";
        case SdpErrorCode::tooManyLines:
            return "sdp-too-many-lines";
        case SdpErrorCode::lineTooLong:
            return "sdp-line-too-long";
        case SdpErrorCode::tooManyMediaSections:
            return "sdp-too-many-media";
        case SdpErrorCode::tooManyCodecs:
            return "sdp-too-many-codecs";
        case SdpErrorCode::tooManyAttributes:
            return "sdp-too-many-attributes";
        case SdpErrorCode::malformed:
            return "sdp-malformed";
        case SdpErrorCode::badExtmapId:
            return "sdp-bad-extmap-id";
        case SdpErrorCode::duplicateMid:
            return "sdp-duplicate-mid";
        case SdpErrorCode::missingMid:
            return "sdp-missing-mid";
        case SdpErrorCode::missingIceCredentials:
            return "sdp-missing-ice-credentials";
        case SdpErrorCode::missingFingerprint:
            return "sdp-missing-fingerprint";
        case SdpErrorCode::badSetup:
            return "sdp-bad-setup";
        case SdpErrorCode::noRtcpMux:
            return "sdp-no-rtcp-mux";
        case SdpErrorCode::nothingToAnswer:
            return "sdp-nothing-to-answer";
    }
    return "sdp-malformed";
}

}  // namespace pulsemeet::media
