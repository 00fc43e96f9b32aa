#include "config/Config.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <boost/asio/ip/address.hpp>

#include "config/Origin.hpp"

namespace pulsemeet::config {
namespace {

// One setting: its variable name, default shown in --help, what it accepts, and how to apply it.
// Apply throws ConfigError's message text (without the variable name) on a bad value.
struct Setting {
    std::string_view name;
    std::string_view defaultText;
    std::string_view help;
    std::function<void(Config&, const std::string&)> apply;
};

std::string trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(first, last - first + 1));
}

std::vector<std::string> splitList(const std::string& value) {
    std::vector<std::string> items;
    std::string item;
    std::istringstream stream(value);
    while (std::getline(stream, item, ',')) {
        auto trimmed = trim(item);
        if (!trimmed.empty()) items.push_back(std::move(trimmed));
    }
    return items;
}

struct BadValue {
    std::string accepts;
};

long long parseInteger(const std::string& value, long long min, long long max) {
    const std::string text = trim(value);
    long long parsed = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, parsed);
    if (text.empty() || ec != std::errc{} || ptr != end || parsed < min || parsed > max) {
        throw BadValue{"an integer from " + std::to_string(min) + " to " + std::to_string(max)};
    }
    return parsed;
}

bool parseBool(const std::string& value) {
    std::string lower = trim(value);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") return true;
    if (lower == "false" || lower == "0" || lower == "no" || lower == "off") return false;
    throw BadValue{"true or false"};
}

template <typename Int>
auto integer(Int Config::*field, long long min, long long max) {
    return [field, min, max](Config& config, const std::string& value) {
        config.*field = static_cast<Int>(parseInteger(value, min, max));
    };
}

auto seconds(std::chrono::seconds Config::*field, long long min, long long max) {
    return [field, min, max](Config& config, const std::string& value) {
        config.*field = std::chrono::seconds(parseInteger(value, min, max));
    };
}

auto text(std::string Config::*field) {
    return [field](Config& config, const std::string& value) { config.*field = trim(value); };
}

auto list(std::vector<std::string> Config::*field) {
    return [field](Config& config, const std::string& value) { config.*field = splitList(value); };
}

const std::vector<Setting>& settings() {
    static const std::vector<Setting> table = {
        {"HOST", "0.0.0.0", "address to listen on", text(&Config::host)},
        {"PORT", "8080", "TCP port (0 picks a free one and logs it)",
         integer(&Config::port, 0, 65535)},
        {"ALLOWED_ORIGINS", "",
         "comma-separated origins (scheme://host[:port]) allowed to open /ws, compared in "
         "scheme, host and port; * allows any. Empty (and no PUBLIC_URL): only pages from the "
         "host the request names",
         [](Config& c, const std::string& v) {
             c.allowedOrigins = splitList(v);
             for (const auto& entry : c.allowedOrigins) {
                 if (entry != "*" && !parseOrigin(entry)) {
                     throw BadValue{
                         "* or origins such as https://meet.example.com (scheme://host"
                         "[:port], no path); '" +
                         entry + "' is not one"};
                 }
             }
         }},
        {"PUBLIC_URL", "",
         "the address users open (https://meet.example.com); its origin is allowed to open /ws",
         [](Config& c, const std::string& v) {
             const std::string url = trim(v);
             if (!url.empty() && !parseOrigin(url)) {
                 throw BadValue{
                     "an origin such as https://meet.example.com (scheme://host[:port])"};
             }
             c.publicUrl = url;
         }},
        {"SIGNALING_TOKEN", "", "bearer token required to open /ws (empty: none)",
         text(&Config::signalingToken)},
        {"JWT_SECRET", "",
         "HS256 key for room tokens; when set, /ws needs a valid token (see `pulsemeet token`)",
         text(&Config::jwtSecret)},
        {"STUN_URLS", "stun:stun.l.google.com:19302", "comma-separated STUN URLs for clients",
         list(&Config::stunUrls)},
        {"TURN_ENABLED", "false", "hand TURN servers to clients",
         [](Config& c, const std::string& v) { c.turnEnabled = parseBool(v); }},
        {"TURN_URLS", "", "comma-separated TURN URLs", list(&Config::turnUrls)},
        {"TURN_USERNAME", "", "static TURN username", text(&Config::turnUsername)},
        {"TURN_PASSWORD", "", "static TURN password", text(&Config::turnPassword)},
        {"TURN_SECRET", "",
         "coturn static-auth-secret: each client gets its own expiring TURN credentials",
         text(&Config::turnSecret)},
        {"TURN_TTL_SECONDS", "3600", "lifetime of TURN credentials made from TURN_SECRET",
         seconds(&Config::turnTtl, 60, 7 * 24 * 3600)},
        {"ICE_TRANSPORT_POLICY", "all", "all, or relay to make every client use TURN only",
         [](Config& c, const std::string& v) {
             const std::string policy = trim(v);
             if (policy == "all")
                 c.iceTransportPolicy = IceTransportPolicy::all;
             else if (policy == "relay")
                 c.iceTransportPolicy = IceTransportPolicy::relay;
             else
                 throw BadValue{"all or relay"};
         }},
        {"REDIS_ENABLED", "false", "share rooms with other instances through Redis",
         [](Config& c, const std::string& v) { c.redisEnabled = parseBool(v); }},
        {"REDIS_ADDR", "127.0.0.1:6379", "Redis host:port",
         [](Config& c, const std::string& v) {
             const std::string addr = trim(v);
             const auto colon = addr.rfind(':');
             if (colon == std::string::npos || colon == 0) throw BadValue{"host:port"};
             c.redisHost = addr.substr(0, colon);
             try {
                 c.redisPort =
                     static_cast<std::uint16_t>(parseInteger(addr.substr(colon + 1), 1, 65535));
             } catch (const BadValue&) {
                 throw BadValue{"host:port with a port from 1 to 65535"};
             }
         }},
        {"REDIS_PASSWORD", "", "Redis password (empty: none)", text(&Config::redisPassword)},
        {"REDIS_DB", "0", "Redis database for the room keys", integer(&Config::redisDb, 0, 1000)},
        {"REDIS_CHANNEL", "pulsemeet", "prefix of every Redis key and channel",
         [](Config& c, const std::string& v) {
             const std::string prefix = trim(v);
             const bool ok =
                 !prefix.empty() && prefix.size() <= 64 &&
                 std::all_of(prefix.begin(), prefix.end(), [](unsigned char ch) {
                     return std::isalnum(ch) || ch == '_' || ch == '-' || ch == '.' || ch == ':';
                 });
             if (!ok) throw BadValue{"1 to 64 of letters, digits, _ - . :"};
             c.redisChannel = prefix;
         }},
        {"REDIS_HEARTBEAT_SECONDS", "10",
         "TTL of an instance's heartbeat: its peers are announced as left this long after it dies",
         seconds(&Config::redisHeartbeat, 1, 3600)},
        {"LOG_BUS", "false",
         "one instance through the cluster bus path, logging every bus event (debugging the "
         "bus without Redis); not with REDIS_ENABLED",
         [](Config& c, const std::string& v) { c.logBus = parseBool(v); }},
        {"MAX_PEERS_PER_ROOM", "50", "people per room", integer(&Config::maxPeersPerRoom, 1, 1000)},
        {"SFU_MODE", "auto",
         "when rooms use the media server: auto (above MESH_MAX_PEERS people), always, or never "
         "(peer to peer only); only rooms whose every member can use it, and never rooms shared "
         "with other instances",
         [](Config& c, const std::string& v) {
             const std::string mode = trim(v);
             if (mode == "auto")
                 c.sfuMode = SfuMode::automatic;
             else if (mode == "always")
                 c.sfuMode = SfuMode::always;
             else if (mode == "never")
                 c.sfuMode = SfuMode::never;
             else
                 throw BadValue{"auto, always or never"};
         }},
        {"MESH_MAX_PEERS", "4",
         "with SFU_MODE=auto, a room of more people than this moves to the media server",
         integer(&Config::meshMaxPeers, 2, 1000)},
        {"MESH_RETURN_SECONDS", "10",
         "with SFU_MODE=auto, a room on the media server goes back to peer to peer once it has "
         "had two people or fewer for this long",
         seconds(&Config::meshReturn, 0, 3600)},
        {"MAX_HTTP_PER_MINUTE", "300", "HTTP requests per IP per minute (0: no limit)",
         integer(&Config::maxHttpPerMinute, 0, 100000000)},
        {"MAX_CONNS_PER_IP", "1000",
         "concurrent connections per client IP, HTTP and WebSocket (over it: HTTP 429; 0: no cap)",
         integer(&Config::maxConnsPerIp, 0, 10000000)},
        {"MAX_ROOMS_PER_IP_PER_MINUTE", "20",
         "different rooms one client IP may join per minute; rejoins and resumes are free "
         "(over it: error rate-limited, close 1008; 0: no limit)",
         integer(&Config::maxRoomsPerIpPerMinute, 0, 1000000)},
        {"MAX_TURN_CREDENTIALS_PER_IP_PER_MINUTE", "10",
         "TURN credentials GET /ice-servers makes per client IP per minute with TURN_SECRET "
         "(over it: HTTP 429; 0: no limit)",
         integer(&Config::maxTurnCredentialsPerIpPerMinute, 0, 1000000)},
        {"MAX_WS_MESSAGES_PER_SEC", "30",
         "WebSocket messages per connection per second, burst 2x (0: no limit)",
         integer(&Config::maxWsMessagesPerSec, 0, 1000000)},
        {"MAX_MESSAGE_BYTES", "65536", "largest WebSocket message accepted",
         integer(&Config::maxMessageBytes, 1024, 16 << 20)},
        {"WRITE_QUEUE_BYTES", "1048576",
         "bytes queued to one slow receiver before it is closed with 1013",
         integer(&Config::writeQueueBytes, 4096, 1 << 30)},
        {"RESUME_GRACE_SECONDS", "20",
         "how long a dropped peer's place is held (clients that resume only)",
         integer(&Config::resumeGraceSeconds, 0, 3600)},
        {"SESSION_SECRET", "", "HMAC key for resume tokens (empty: random per process)",
         text(&Config::sessionSecret)},
        {"LOG_LEVEL", "info", "debug, info, warn, error or off",
         [](Config& c, const std::string& v) {
             const std::string level = trim(v);
             if (level == "debug")
                 c.logLevel = LogLevel::debug;
             else if (level == "info")
                 c.logLevel = LogLevel::info;
             else if (level == "warn")
                 c.logLevel = LogLevel::warn;
             else if (level == "error")
                 c.logLevel = LogLevel::error;
             else if (level == "off")
                 c.logLevel = LogLevel::off;
             else
                 throw BadValue{"one of debug, info, warn, error, off"};
         }},
        {"LOG_FORMAT", "json", "json or text",
         [](Config& c, const std::string& v) {
             const std::string format = trim(v);
             if (format == "json")
                 c.logFormat = LogFormat::json;
             else if (format == "text")
                 c.logFormat = LogFormat::text;
             else
                 throw BadValue{"json or text"};
         }},
        {"STATIC_DIR", "web/dist", "folder of the browser client", text(&Config::staticDir)},
        {"TLS_CERT_FILE", "", "PEM certificate chain; with TLS_KEY_FILE the port serves HTTPS/WSS",
         text(&Config::tlsCertFile)},
        {"TLS_KEY_FILE", "", "PEM private key of TLS_CERT_FILE", text(&Config::tlsKeyFile)},
        {"METRICS_TOKEN", "",
         "bearer token /metrics asks of every scraper (empty: only loopback and private-network "
         "clients get it)",
         [](Config& c, const std::string& v) {
             const std::string token = trim(v);
             const bool printable = std::all_of(token.begin(), token.end(), [](unsigned char ch) {
                 return ch > 0x20 && ch < 0x7f;
             });
             if (!token.empty() && (token.size() < 16 || token.size() > 512 || !printable)) {
                 throw BadValue{"16 to 512 printable characters without spaces"};
             }
             c.metricsToken = token;
         }},
        {"METRICS_LISTEN", "",
         "IP:port of a separate listener for /metrics and /healthz; the main port then has no "
         "/metrics (empty: /metrics on the main port)",
         [](Config& c, const std::string& v) {
             const std::string address = trim(v);
             if (address.empty()) {
                 c.metricsListen.reset();
                 return;
             }
             const BadValue bad{
                 "IP:port, such as 127.0.0.1:9100 or [::1]:9100 (port 0 picks a free one)"};
             const auto colon = address.rfind(':');
             if (colon == std::string::npos || colon == 0) throw bad;
             std::string host = address.substr(0, colon);
             if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
                 host = host.substr(1, host.size() - 2);
             } else if (host.find(':') != std::string::npos) {
                 throw bad;  // IPv6 needs brackets, or the port is ambiguous
             }
             boost::system::error_code ec;
             boost::asio::ip::make_address(host, ec);
             if (ec) throw bad;
             try {
                 const auto port = parseInteger(address.substr(colon + 1), 0, 65535);
                 c.metricsListen = Config::ListenAddress{host, static_cast<std::uint16_t>(port)};
             } catch (const BadValue&) {
                 throw bad;
             }
         }},
        {"MEDIA_PORT", "10000",
         "UDP port of the media server, shared by all the clients of a media worker (worker i "
         "listens on MEDIA_PORT + i; 0 picks free ones and logs them)",
         integer(&Config::mediaPort, 0, 65535)},
        {"MEDIA_TCP_PORT", "",
         "TCP port of the media server for clients whose UDP is blocked (ICE over TCP); empty: "
         "the same number as MEDIA_PORT; 0 turns it off",
         [](Config& c, const std::string& v) {
             const std::string port = trim(v);
             c.mediaTcpPortFollowsMediaPort = port.empty();
             if (port.empty()) return;
             const auto parsed = parseInteger(port, 0, 65535);
             if (parsed == 0) {
                 c.mediaTcpPort.reset();
             } else {
                 c.mediaTcpPort = static_cast<std::uint16_t>(parsed);
             }
         }},
        {"MEDIA_ANNOUNCED_IP", "",
         "IP address clients send media to (the media server's host candidate); empty: HOST, or "
         "the first non-loopback interface address when HOST is 0.0.0.0 or ::",
         [](Config& c, const std::string& v) {
             const std::string address = trim(v);
             if (address.empty()) {
                 c.mediaAnnouncedIp.clear();
                 return;
             }
             boost::system::error_code ec;
             const auto parsed = boost::asio::ip::make_address(address, ec);
             if (ec || parsed.is_unspecified() || parsed.is_multicast()) {
                 throw BadValue{
                     "one IP address clients can reach, such as 203.0.113.7 (not 0.0.0.0, ::, "
                     "or multicast)"};
             }
             c.mediaAnnouncedIp = parsed.to_string();
         }},
        {"MEDIA_WORKERS", "0",
         "media server threads (0: one per core, at most 16); a new room goes to the one "
         "carrying the fewest transports and lives there",
         integer(&Config::mediaWorkers, 0, 16)},
        {"VIDEO_LAST_N", "16",
         "last-N: in a room on the media server each viewer receives the cameras of this many "
         "most recent speakers (plus the ones it pinned); the other tiles show an avatar",
         integer(&Config::videoLastN, 1, 1000)},
        {"MEDIA_TEST_DROP_PERCENT", "0",
         "TESTS ONLY: share of forwarded media packets the media server drops, to exercise "
         "retransmission; never set it in production",
         integer(&Config::mediaTestDropPercent, 0, 100)},
        {"MEDIA_TEST_BANDWIDTH_CAP", "",
         "TESTS ONLY: <peer>:<bits/s> caps the downstream bandwidth estimate of the <peer>-th "
         "client (1-based, in order of first offer) in every room on the media server, so a test "
         "sees it get a lower simulcast layer; empty: off. Never set it in production",
         [](Config& c, const std::string& v) {
             const std::string value = trim(v);
             c.mediaTestBandwidthCapPeer = 0;
             c.mediaTestBandwidthCapBps = 0;
             if (value.empty()) return;
             const BadValue bad{"<peer index>:<bits per second>, such as 3:150000"};
             const auto colon = value.find(':');
             if (colon == std::string::npos) throw bad;
             try {
                 c.mediaTestBandwidthCapPeer =
                     static_cast<int>(parseInteger(value.substr(0, colon), 1, 1000));
                 c.mediaTestBandwidthCapBps = static_cast<std::uint64_t>(
                     parseInteger(value.substr(colon + 1), 1000, 1'000'000'000));
             } catch (const BadValue&) {
                 throw bad;
             }
         }},
        {"THREADS", "0", "I/O threads (0: one per core)", integer(&Config::threads, 0, 256)},
        {"DRAIN_SECONDS", "10", "longest wait for sockets to close on SIGTERM",
         integer(&Config::drainSeconds, 0, 3600)},
        {"PING_INTERVAL_SECONDS", "25", "WebSocket ping interval",
         seconds(&Config::pingInterval, 1, 3600)},
        {"PONG_TIMEOUT_SECONDS", "60", "close a WebSocket silent for this long",
         seconds(&Config::pongTimeout, 1, 3600)},
        {"HTTP_HEADER_TIMEOUT_SECONDS", "10", "time allowed to send a request's headers",
         seconds(&Config::httpHeaderTimeout, 1, 3600)},
    };
    return table;
}

std::string flagFor(std::string_view name) {
    std::string flag = "--";
    for (char c : name) {
        flag += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return flag;
}

const Setting* findByName(std::string_view name) {
    for (const auto& setting : settings()) {
        if (setting.name == name) return &setting;
    }
    return nullptr;
}

const Setting* findByFlag(std::string_view flag) {
    for (const auto& setting : settings()) {
        if (flagFor(setting.name) == flag) return &setting;
    }
    return nullptr;
}

void apply(Config& config, const Setting& setting, const std::string& value,
           std::string_view source) {
    try {
        setting.apply(config, value);
    } catch (const BadValue& bad) {
        throw ConfigError(std::string(setting.name) + "=" + value + " (" + std::string(source) +
                          ") is invalid: expected " + bad.accepts);
    }
}

// The first IPv4 address of an interface that is up and not loopback; nullopt when none.
std::optional<std::string> firstNonLoopbackAddress() {
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return std::nullopt;
    const std::unique_ptr<ifaddrs, decltype(&freeifaddrs)> owner(list, freeifaddrs);
    for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
        if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != AF_INET) continue;
        const auto* address = reinterpret_cast<const sockaddr_in*>(entry->ifa_addr);
        const auto host = ntohl(address->sin_addr.s_addr);
        if ((host >> 24) == 127) continue;
        char text[INET_ADDRSTRLEN] = {};
        if (inet_ntop(AF_INET, &address->sin_addr, text, sizeof text) == nullptr) continue;
        return std::string(text);
    }
    return std::nullopt;
}

// MEDIA_ANNOUNCED_IP left empty: the address HOST names, or, when HOST is a wildcard, one a
// client on the network can reach.
std::string defaultMediaAnnouncedIp(const std::string& host) {
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(host, ec);
    if (!ec && !address.is_unspecified()) return address.to_string();
    return firstNonLoopbackAddress().value_or("127.0.0.1");
}

void checkConsistency(const Config& config) {
    if (config.turnEnabled && config.turnUrls.empty()) {
        throw ConfigError("TURN_ENABLED=true needs TURN_URLS (comma-separated turn: URLs)");
    }
    if (!config.turnSecret.empty() && !config.turnEnabled) {
        throw ConfigError("TURN_SECRET is set but TURN_ENABLED is false: set TURN_ENABLED=true");
    }
    if (!config.turnSecret.empty() &&
        (!config.turnUsername.empty() || !config.turnPassword.empty())) {
        throw ConfigError(
            "TURN_SECRET and TURN_USERNAME/TURN_PASSWORD are both set: choose one credential mode");
    }
    if (config.iceTransportPolicy == IceTransportPolicy::relay && !config.turnEnabled) {
        throw ConfigError("ICE_TRANSPORT_POLICY=relay needs TURN_ENABLED=true and TURN_URLS");
    }
    if (!config.jwtSecret.empty() && !config.signalingToken.empty()) {
        throw ConfigError(
            "JWT_SECRET and SIGNALING_TOKEN are both set: choose one way to guard /ws");
    }
    if (config.logBus && config.redisEnabled) {
        throw ConfigError("LOG_BUS=true and REDIS_ENABLED=true: choose one cluster bus");
    }
    if (config.pongTimeout <= config.pingInterval) {
        throw ConfigError("PONG_TIMEOUT_SECONDS must be greater than PING_INTERVAL_SECONDS");
    }
    if (config.tlsCertFile.empty() != config.tlsKeyFile.empty()) {
        throw ConfigError(
            config.tlsCertFile.empty()
                ? "TLS_KEY_FILE is set but TLS_CERT_FILE is not: set both or neither"
                : "TLS_CERT_FILE is set but TLS_KEY_FILE is not: set both or neither");
    }
    if (config.metricsListen && config.metricsListen->port != 0 &&
        config.metricsListen->port == config.port) {
        throw ConfigError("METRICS_LISTEN uses the same port as PORT: choose another port");
    }
    if (config.host.empty()) {
        throw ConfigError("HOST is empty: expected an address such as 0.0.0.0 or 127.0.0.1");
    }
}

}  // namespace

Environment parseDotEnv(const std::string& text) {
    Environment values;
    std::istringstream stream(text);
    std::string line;
    while (std::getline(stream, line)) {
        std::string trimmed = trim(line);
        if (trimmed.empty() || trimmed.front() == '#') continue;
        if (trimmed.rfind("export ", 0) == 0) trimmed = trim(trimmed.substr(7));
        const auto eq = trimmed.find('=');
        if (eq == std::string::npos) continue;
        std::string key = trim(trimmed.substr(0, eq));
        std::string value = trim(trimmed.substr(eq + 1));
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
            value.back() == value.front()) {
            value = value.substr(1, value.size() - 2);
        }
        values[key] = value;
    }
    return values;
}

bool wantsHelp(const std::vector<std::string>& args) {
    return std::any_of(args.begin(), args.end(),
                       [](const std::string& a) { return a == "--help" || a == "-h"; });
}

Config load(const std::vector<std::string>& args, const Environment& environment) {
    // Split flags first so --env-file is known before anything is applied.
    std::vector<std::pair<const Setting*, std::string>> flagValues;
    std::string envFile = ".env";
    bool envFileRequired = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string flag = args[i];
        std::string value;
        bool hasValue = false;
        if (const auto eq = flag.find('='); eq != std::string::npos) {
            value = flag.substr(eq + 1);
            flag = flag.substr(0, eq);
            hasValue = true;
        }
        if (!hasValue) {
            if (i + 1 >= args.size()) throw ConfigError(flag + " needs a value");
            value = args[++i];
        }
        if (flag == "--env-file") {
            envFile = value;
            envFileRequired = true;
            continue;
        }
        const Setting* setting = findByFlag(flag);
        if (setting == nullptr) {
            throw ConfigError("unknown option " + flag + " (see --help)");
        }
        flagValues.emplace_back(setting, value);
    }

    Config config;

    std::ifstream file(envFile);
    if (file) {
        std::stringstream contents;
        contents << file.rdbuf();
        for (const auto& [key, value] : parseDotEnv(contents.str())) {
            if (const Setting* setting = findByName(key)) apply(config, *setting, value, envFile);
        }
    } else if (envFileRequired) {
        throw ConfigError("--env-file " + envFile + " cannot be read");
    }
    for (const auto& setting : settings()) {
        if (const auto it = environment.find(std::string(setting.name)); it != environment.end()) {
            apply(config, setting, it->second, "environment");
        }
    }
    for (const auto& [setting, value] : flagValues) {
        apply(config, *setting, value, flagFor(setting->name));
    }
    if (config.threads == 0) {
        config.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    }
    if (config.mediaWorkers == 0) {
        config.mediaWorkers =
            static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 16u));
    }
    checkConsistency(config);
    if (config.mediaTcpPortFollowsMediaPort) config.mediaTcpPort = config.mediaPort;
    if (config.mediaAnnouncedIp.empty())
        config.mediaAnnouncedIp = defaultMediaAnnouncedIp(config.host);
    return config;
}

std::string helpText() {
    std::ostringstream out;
    out << "pulsemeet - PulseMeet signaling server\n\n"
        << "Usage: pulsemeet [--flag value ...]\n"
        << "       pulsemeet token --room ROOM --name NAME --ttl 1h   (mint a room token)\n"
        << "Every setting is read from, in rising priority: defaults, the .env file\n"
        << "(--env-file PATH, default ./.env), the environment, then flags.\n\n";
    for (const auto& setting : settings()) {
        out << "  " << flagFor(setting.name) << " / " << setting.name
            << "  (default: " << (setting.defaultText.empty() ? "empty" : setting.defaultText)
            << ")\n      " << setting.help << "\n";
    }
    return out.str();
}

}  // namespace pulsemeet::config
