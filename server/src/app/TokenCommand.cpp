#include "app/TokenCommand.hpp"

#include <charconv>

#include "auth/RoomTokenMinter.hpp"
#include "signaling/ClientMessage.hpp"

namespace pulsemeet::app {

namespace {

constexpr std::string_view kUsage =
    "Usage: pulsemeet token [--room ROOM|*] [--name NAME] [--ttl 1h] [--jwt-secret S]\n"
    "Prints a room token for links like /r/ROOM?token=...; --ttl takes s, m, h or d.\n";

}  // namespace

std::optional<std::chrono::seconds> parseTtl(std::string_view text) {
    long long multiplier = 1;
    if (!text.empty()) {
        switch (text.back()) {
            case 's':
                text.remove_suffix(1);
                break;
            case 'm':
                multiplier = 60;
                text.remove_suffix(1);
                break;
            case 'h':
                multiplier = 3600;
                text.remove_suffix(1);
                break;
            case 'd':
                multiplier = 86400;
                text.remove_suffix(1);
                break;
            default:
                break;
        }
    }
    long long count = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, count);
    // Capped at a year: a room link that outlives that is a password, not a token.
    constexpr long long kMaxSeconds = 366LL * 86400;
    if (text.empty() || ec != std::errc{} || ptr != end || count <= 0 ||
        count > kMaxSeconds / multiplier) {
        return std::nullopt;
    }
    return std::chrono::seconds(count * multiplier);
}

int runTokenCommand(const std::vector<std::string>& args, const config::Environment& environment,
                    std::ostream& out, std::ostream& err) {
    auth::RoomTokenRequest request;
    std::vector<std::string> configArgs;  // everything else is an ordinary setting
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string flag = args[i];
        if (flag == "--help" || flag == "-h") {
            out << kUsage;
            return 0;
        }
        std::optional<std::string> value;
        if (const auto eq = flag.find('='); eq != std::string::npos) {
            value = flag.substr(eq + 1);
            flag = flag.substr(0, eq);
        }
        if (flag != "--room" && flag != "--name" && flag != "--ttl") {
            configArgs.push_back(args[i]);
            continue;
        }
        if (!value) {
            if (i + 1 >= args.size()) {
                err << "pulsemeet token: " << flag << " needs a value\n";
                return 2;
            }
            value = args[++i];
        }
        if (flag == "--room") {
            if (*value != "*" && !signaling::isValidRoomId(*value)) {
                err << "pulsemeet token: --room " << *value
                    << " is invalid: expected * or 3-64 of A-Z a-z 0-9 _ -\n";
                return 2;
            }
            request.room = *value;
        } else if (flag == "--name") {
            request.name = *value;
        } else {
            const auto ttl = parseTtl(*value);
            if (!ttl) {
                err << "pulsemeet token: --ttl " << *value
                    << " is invalid: expected a duration such as 3600, 90s, 30m, 1h or 7d\n";
                return 2;
            }
            request.ttl = *ttl;
        }
    }
    config::Config config;
    try {
        config = config::load(configArgs, environment);
    } catch (const config::ConfigError& error) {
        err << "pulsemeet token: " << error.what() << "\n";
        return 2;
    }
    if (config.jwtSecret.empty()) {
        err << "pulsemeet token: JWT_SECRET is not set (environment, .env or --jwt-secret)\n";
        return 2;
    }
    out << auth::mintRoomToken(config.jwtSecret, request, std::chrono::system_clock::now()) << "\n";
    return 0;
}

}  // namespace pulsemeet::app
