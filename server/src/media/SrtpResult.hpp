#pragma once

#include <cstddef>

namespace pulsemeet::media {

enum class SrtpStatus {
    ok,
    bufferTooSmall,        // protect: no room for the tag; unprotect: shorter than a header
    authenticationFailed,  // tampered, or keyed for someone else
    replayed,              // a sequence number already seen, or too old for the window
    failed,                // anything else (a malformed header, an exhausted SRTCP index)
};

struct SrtpResult {
    SrtpStatus status;
    std::size_t length = 0;  // the packet's new length when status is ok
};

}  // namespace pulsemeet::media
