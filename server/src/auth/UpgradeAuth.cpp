#include "auth/UpgradeAuth.hpp"

#include <openssl/crypto.h>

#include <vector>

namespace pulsemeet::auth {
namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

std::vector<std::string_view> splitCommas(std::string_view list) {
    std::vector<std::string_view> items;
    while (!list.empty()) {
        const auto comma = list.find(',');
        const auto item = trim(list.substr(0, comma));
        if (!item.empty()) items.push_back(item);
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return items;
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percentDecode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            const int hi = hexValue(text[i + 1]);
            const int lo = hexValue(text[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out += text[i] == '+' ? ' ' : text[i];
    }
    return out;
}

constexpr std::string_view kBearerPrefix = "bearer.";

}  // namespace

bool secretsEqual(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<std::string> queryParameter(std::string_view target, std::string_view key) {
    const auto question = target.find('?');
    if (question == std::string_view::npos) return std::nullopt;
    std::string_view query = target.substr(question + 1);
    if (const auto hash = query.find('#'); hash != std::string_view::npos) {
        query = query.substr(0, hash);
    }
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        const auto eq = pair.find('=');
        if (pair.substr(0, eq) == key) {
            return eq == std::string_view::npos ? std::string()
                                                : percentDecode(pair.substr(eq + 1));
        }
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

std::optional<std::string> presentedToken(const UpgradeCredentials& credentials) {
    const std::string_view header = trim(credentials.authorization);
    if (header.size() > 7) {
        std::string scheme(header.substr(0, 7));
        for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (scheme == "bearer ") return std::string(trim(header.substr(7)));
    }
    if (auto fromQuery = queryParameter(credentials.target, "token"); fromQuery) {
        return fromQuery;
    }
    // Subprotocol form: "pulsemeet, bearer.<token>" (a token alone is accepted as well).
    for (const auto item : splitCommas(credentials.subprotocols)) {
        if (item.starts_with(kBearerPrefix)) return std::string(item.substr(kBearerPrefix.size()));
    }
    for (const auto item : splitCommas(credentials.subprotocols)) {
        if (item != "pulsemeet") return std::string(item);
    }
    return std::nullopt;
}

std::string chosenSubprotocol(std::string_view subprotocols, std::string_view token) {
    const auto items = splitCommas(subprotocols);
    for (const auto item : items) {
        if (item == "pulsemeet") return std::string(item);
    }
    for (const auto item : items) {
        if (item != token && !item.starts_with(kBearerPrefix)) return std::string(item);
    }
    return items.empty() ? std::string() : std::string(items.front());
}

}  // namespace pulsemeet::auth
