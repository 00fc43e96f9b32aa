#include "Options.hpp"

#include <functional>
#include <map>
#include <stdexcept>

namespace pulsemeet::bench {

std::string usage() {
    return "usage: pulsemeet-loadgen --mode relay|join|idle|churn [--server LABEL] [--host H]\n"
           "  [--port P] [--port2 P2] [--pid SERVER_PID] [--watch LABEL=PID]... [--connections N]\n"
           "  [--room-size R] [--rate MSG_PER_S] [--window W] [--payload BYTES] [--warmup S]\n"
           "  [--seconds S] [--sources K] [--connect-concurrency C]\n"
           "--port2: a second instance; odd-indexed clients use it (relays cross instances).\n"
           "--watch: also report that process's CPU per 100k relayed messages (repeatable).\n"
           "relay: N sockets in rooms of R, each sending ice-candidates to a room-mate at an\n"
           "  aggregate --rate (0: saturation, W in flight per sender); join: connect+join "
           "latency\n"
           "  at --rate joins/s for --seconds (0: a burst of N); idle: N joined sockets held, RSS "
           "per\n"
           "  socket; churn: --connections workers joining and leaving rooms for --seconds.\n"
           "Prints one JSON line.\n";
}

Options parseOptions(const std::vector<std::string>& args) {
    Options options;
    const auto number = [](const std::string& text) { return std::stod(text); };
    const std::map<std::string, std::function<void(const std::string&)>> setters = {
        {"--mode", [&](const std::string& v) { options.mode = v; }},
        {"--server", [&](const std::string& v) { options.server = v; }},
        {"--host", [&](const std::string& v) { options.host = v; }},
        {"--port",
         [&](const std::string& v) { options.port = static_cast<std::uint16_t>(number(v)); }},
        {"--port2",
         [&](const std::string& v) { options.port2 = static_cast<std::uint16_t>(number(v)); }},
        {"--pid", [&](const std::string& v) { options.pid = static_cast<int>(number(v)); }},
        {"--watch",
         [&](const std::string& v) {
             const auto eq = v.find('=');
             if (eq == 0 || eq == std::string::npos) throw std::invalid_argument("LABEL=PID");
             options.watched.push_back(
                 {v.substr(0, eq), static_cast<int>(number(v.substr(eq + 1)))});
         }},
        {"--connections",
         [&](const std::string& v) { options.connections = static_cast<int>(number(v)); }},
        {"--room-size",
         [&](const std::string& v) { options.roomSize = static_cast<int>(number(v)); }},
        {"--rate", [&](const std::string& v) { options.rate = number(v); }},
        {"--window", [&](const std::string& v) { options.window = static_cast<int>(number(v)); }},
        {"--payload",
         [&](const std::string& v) { options.payloadBytes = static_cast<int>(number(v)); }},
        {"--warmup", [&](const std::string& v) { options.warmupSeconds = number(v); }},
        {"--seconds", [&](const std::string& v) { options.seconds = number(v); }},
        {"--sources", [&](const std::string& v) { options.sources = static_cast<int>(number(v)); }},
        {"--connect-concurrency",
         [&](const std::string& v) { options.connectConcurrency = static_cast<int>(number(v)); }},
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto it = setters.find(args[i]);
        if (it == setters.end() || i + 1 >= args.size()) {
            throw std::invalid_argument("unknown or incomplete argument " + args[i]);
        }
        try {
            it->second(args[++i]);
        } catch (const std::logic_error&) {
            throw std::invalid_argument("bad value for " + args[i - 1] + ": " + args[i]);
        }
    }
    if (options.mode != "relay" && options.mode != "join" && options.mode != "idle" &&
        options.mode != "churn") {
        throw std::invalid_argument("--mode must be relay, join, idle or churn");
    }
    if (options.connections < 1 || options.roomSize < 2 || options.sources < 1 ||
        options.sources > 250 || options.window < 1 || options.connectConcurrency < 1) {
        throw std::invalid_argument(
            "--connections, --window >= 1; --room-size >= 2; "
            "--sources 1..250");
    }
    return options;
}

}  // namespace pulsemeet::bench
