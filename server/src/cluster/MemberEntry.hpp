#pragma once

#include <optional>
#include <string>

namespace pulsemeet::cluster {

// A room member's value in the Redis membership hash: "instance\nmedia\nname". The instance
// comes first so the eviction script can match a dead instance's members by prefix; media is
// compact JSON (no raw newline); the name comes last because it may contain anything.
struct MemberEntry {
    std::string instance;
    std::string mediaJson;
    std::string name;

    std::string encode() const { return instance + "\n" + mediaJson + "\n" + name; }

    static std::optional<MemberEntry> decode(const std::string& text) {
        const auto first = text.find('\n');
        if (first == std::string::npos) return std::nullopt;
        const auto second = text.find('\n', first + 1);
        if (second == std::string::npos) return std::nullopt;
        return MemberEntry{text.substr(0, first), text.substr(first + 1, second - first - 1),
                           text.substr(second + 1)};
    }
};

}  // namespace pulsemeet::cluster
