#pragma once

#include <string>
#include <string_view>

namespace pulsemeet::media {

// Why an offer was not parsed or not answered. The code is stable and machine-readable (it is
// what the client is told and what the drop counter is labelled with); the message says where.
enum class SdpErrorCode {
    tooLarge,      // over SdpLimits::maxBytes
    tooManyLines,  // over SdpLimits::maxLines
    lineTooLong,   // over SdpLimits::maxLineLength
    tooManyMediaSections,
    tooManyCodecs,
    tooManyAttributes,  // extmaps, ssrcs, rids or rtcp-fb over their limits
    malformed,          // a line we read does not have the syntax RFC 8866 and its extensions give
    badExtmapId,        // outside 1..14 (one-byte header) or 1..255 (with extmap-allow-mixed)
    duplicateMid,
    missingMid,
    missingIceCredentials,
    missingFingerprint,
    badSetup,  // the client wants to be the DTLS server too (`a=setup:passive`)
    noRtcpMux,
    nothingToAnswer,  // no section we can accept
};

struct SdpError {
    SdpErrorCode code;
    std::string message;
};

// "sdp-too-large", "sdp-bad-extmap-id"...: the code as the wire and the logs spell it.
std::string_view toString(SdpErrorCode code);

}  // namespace pulsemeet::media
