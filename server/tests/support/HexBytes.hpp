#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// Test vectors as the specifications print them: "feffe992..." to bytes.
namespace pulsemeet::media::mediatest {

inline std::vector<std::uint8_t> hexBytes(std::string_view text) {
    std::vector<std::uint8_t> bytes;
    for (std::size_t i = 0; i + 1 < text.size(); i += 2)
        bytes.push_back(
            static_cast<std::uint8_t>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
    return bytes;
}

}  // namespace pulsemeet::media::mediatest
