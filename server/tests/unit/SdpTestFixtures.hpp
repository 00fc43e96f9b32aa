#pragma once

#include <fstream>
#include <iterator>
#include <string>

// The Chromium offers captured by tests/fixtures/sdp/chrome-sdp.mjs (see its README).
inline std::string readSdpFixture(const std::string& name) {
    std::ifstream file(std::string(PULSEMEET_FIXTURES_DIR) + "/sdp/" + name, std::ios::binary);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}
