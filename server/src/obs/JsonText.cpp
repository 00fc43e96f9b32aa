#include "obs/JsonText.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace pulsemeet::obs {

namespace {

constexpr std::uint64_t kEveryByte = 0x0101010101010101ULL;  // times a byte: it in each lane
constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

// Nonzero when some byte of `word` is a control character (below 0x20), '"' or '\\': eight
// bytes tested with a few integer operations. (x - n) & ~x has a lane's high bit set only
// where a byte is below n, or a lower one borrowed, which needs one below n too; the equality
// tests are "below 1" after an XOR with the character.
constexpr std::uint64_t needsEscape(std::uint64_t word) {
    const std::uint64_t quote = word ^ (kEveryByte * '"');
    const std::uint64_t backslash = word ^ (kEveryByte * '\\');
    const std::uint64_t control = (word - kEveryByte * 0x20) & ~word;
    return (control | ((quote - kEveryByte) & ~quote) | ((backslash - kEveryByte) & ~backslash)) &
           kHighBits;
}

void appendEscaped(std::string& out, unsigned char c) {
    switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default: {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
            out += escaped;
        }
    }
}

}  // namespace

void appendJsonString(std::string& out, std::string_view text) {
    out.reserve(out.size() + text.size() + 2);
    out += '"';
    // Relayed SDP and candidates are long and almost never hold a character to escape: test
    // them eight bytes at a time and copy clean runs in one go (per-character work was most of
    // a relayed frame's decoding in the profile).
    const char* const data = text.data();
    const std::size_t size = text.size();
    std::size_t run = 0;  // start of the bytes not yet copied
    std::size_t i = 0;
    while (i < size) {
        if (size - i >= 8) {
            std::uint64_t word = 0;
            std::memcpy(&word, data + i, sizeof word);
            if (needsEscape(word) == 0) {
                i += 8;
                continue;
            }
        }
        for (const std::size_t end = std::min(size, i + 8); i < end; ++i) {
            const auto c = static_cast<unsigned char>(data[i]);
            if (c >= 0x20 && c != '"' && c != '\\') continue;
            out.append(data + run, i - run);
            run = i + 1;
            appendEscaped(out, c);
        }
    }
    out.append(data + run, size - run);
    out += '"';
}

}  // namespace pulsemeet::obs
