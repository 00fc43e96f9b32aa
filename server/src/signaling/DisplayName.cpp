#include "signaling/DisplayName.hpp"

#include <algorithm>

namespace pulsemeet::signaling {

namespace {

// Length of the UTF-8 sequence starting with `lead` (1 for a stray continuation byte, which
// valid input never has).
std::size_t sequenceLength(unsigned char lead) {
    if (lead >= 0xF0) return 4;
    if (lead >= 0xE0) return 3;
    if (lead >= 0xC0) return 2;
    return 1;
}

bool isStripped(char32_t cp) {
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) ||  // C0, DEL, C1
           (cp >= 0x202A && cp <= 0x202E) ||           // LRE RLE PDF LRO RLO
           (cp >= 0x2066 && cp <= 0x2069) ||           // LRI RLI FSI PDI
           cp == 0x2028 || cp == 0x2029;               // line / paragraph separator
}

char32_t decode(std::string_view sequence) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(sequence[i]); };
    switch (sequence.size()) {
        case 1:
            return byte(0);
        case 2:
            return (char32_t{byte(0)} & 0x1F) << 6 | (byte(1) & 0x3F);
        case 3:
            return (char32_t{byte(0)} & 0x0F) << 12 | (char32_t{byte(1)} & 0x3F) << 6 |
                   (byte(2) & 0x3F);
        default:
            return (char32_t{byte(0)} & 0x07) << 18 | (char32_t{byte(1)} & 0x3F) << 12 |
                   (char32_t{byte(2)} & 0x3F) << 6 | (byte(3) & 0x3F);
    }
}

std::string_view trimSpaces(std::string_view text) {
    const auto first = text.find_first_not_of(' ');
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

}  // namespace

std::string sanitizeDisplayName(std::string_view name) {
    std::string kept;
    kept.reserve(name.size());
    for (std::size_t i = 0; i < name.size();) {
        const std::size_t length =
            std::min(sequenceLength(static_cast<unsigned char>(name[i])), name.size() - i);
        const std::string_view sequence = name.substr(i, length);
        if (!isStripped(decode(sequence))) kept.append(sequence);
        i += length;
    }
    return std::string(trimSpaces(kept));
}

}  // namespace pulsemeet::signaling
