#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "media/SrtpSession.hpp"

// Protecting one packet in a test: the SRTP (or SRTCP) bytes of `plain`, or none when the session
// refuses (which fails the test).
namespace pulsemeet::media::mediatest {

inline std::vector<std::uint8_t> protect(SrtpSession& session,
                                         const std::vector<std::uint8_t>& plain,
                                         bool rtcp = false) {
    std::vector<std::uint8_t> buffer(plain.size() + SrtpSession::kMaxProtectOverhead);
    std::copy(plain.begin(), plain.end(), buffer.begin());
    const auto result =
        rtcp ? session.protectRtcp(buffer, plain.size()) : session.protectRtp(buffer, plain.size());
    EXPECT_EQ(result.status, SrtpStatus::ok);
    buffer.resize(result.status == SrtpStatus::ok ? result.length : 0);
    return buffer;
}

}  // namespace pulsemeet::media::mediatest
