#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace pulsemeet::config {

enum class LogFormat { json, text };
enum class LogLevel { debug, info, warn, error, off };
// Which ICE candidates clients may use: `relay` hides their addresses behind TURN.
enum class IceTransportPolicy { all, relay };
// SFU_MODE: when a room's media goes through the media server rather than peer to peer.
enum class SfuMode { automatic, always, never };

// Everything the server can be told. Built once by load() and passed down by const reference:
// nothing below `app` reads the environment.
struct Config {
    std::string host = "0.0.0.0";
    std::uint16_t port = 8080;
    // Pages allowed to open /ws, each scheme://host[:port] ("*": any). With this or publicUrl
    // set, the list is the whole answer; both empty: the page must come from the Host it asks.
    std::vector<std::string> allowedOrigins;
    std::string publicUrl;  // the address users open, e.g. https://meet.example.com (an origin)
    std::string signalingToken;
    std::string jwtSecret;  // when set, /ws needs an HS256 room token signed with it

    std::vector<std::string> stunUrls{"stun:stun.l.google.com:19302"};
    bool turnEnabled = false;
    std::vector<std::string> turnUrls;
    std::string turnUsername;
    std::string turnPassword;
    std::string turnSecret;  // coturn's static-auth-secret: per-client expiring credentials
    std::chrono::seconds turnTtl{3600};
    IceTransportPolicy iceTransportPolicy = IceTransportPolicy::all;

    // Rooms shared by several instances through Redis (off: this instance alone).
    bool redisEnabled = false;
    std::string redisHost = "127.0.0.1";  // REDIS_ADDR host:port, validated and split
    std::uint16_t redisPort = 6379;
    std::string redisPassword;
    int redisDb = 0;
    std::string redisChannel = "pulsemeet";   // prefix of every key and channel
    std::chrono::seconds redisHeartbeat{10};  // TTL after which a silent instance is dead
    // One instance whose hub takes the clustered path through a bus that logs every event
    // (debugging the bus without Redis); excludes redisEnabled.
    bool logBus = false;

    int maxPeersPerRoom = 50;
    int maxHttpPerMinute = 300;
    int maxConnsPerIp = 1000;  // concurrent sockets per client IP; 0: no cap
    // Different rooms one client IP may join per minute (room-id enumeration); 0: no limit.
    int maxRoomsPerIpPerMinute = 20;
    // TURN REST credentials GET /ice-servers hands one client IP per minute; 0: no limit.
    int maxTurnCredentialsPerIpPerMinute = 10;
    int maxWsMessagesPerSec = 30;  // 0 disables the limiter (benchmarks)
    std::size_t maxMessageBytes = 65536;
    std::size_t writeQueueBytes = 1 << 20;

    int resumeGraceSeconds = 20;
    std::string sessionSecret;

    LogLevel logLevel = LogLevel::info;
    LogFormat logFormat = LogFormat::json;

    std::string staticDir = "web/dist";
    // Both set: the port serves HTTPS and WSS. Both empty: plain HTTP (behind a proxy).
    std::string tlsCertFile;
    std::string tlsKeyFile;
    int threads = 0;  // 0 = one per core
    int drainSeconds = 10;

    // Who gets /metrics: private-network peers, or (token set) whoever presents the token.
    std::string metricsToken;
    // Set: /metrics (and /healthz) on this address alone, and no longer on the main port.
    struct ListenAddress {
        std::string host;
        std::uint16_t port = 0;
    };
    std::optional<ListenAddress> metricsListen;

    // The media server's UDP port (0: any free port, logged when the media server starts), and
    // the address its SDP answers give as the host candidate. An empty MEDIA_ANNOUNCED_IP is
    // filled in by load(): HOST when it names one address, else the first non-loopback IPv4
    // interface address (127.0.0.1 when there is none). Neither is used yet: the application
    // does not start the media server until its signaling messages exist.
    std::uint16_t mediaPort = 10000;
    // ICE over TCP (MEDIA_TCP_PORT): nullopt is off (MEDIA_TCP_PORT=0); unset, load() makes it
    // mediaPort (so MEDIA_PORT=0 gives a free TCP port too).
    std::optional<std::uint16_t> mediaTcpPort;
    bool mediaTcpPortFollowsMediaPort = true;  // MEDIA_TCP_PORT empty: same number as MEDIA_PORT
    std::string mediaAnnouncedIp;
    int mediaWorkers = 0;  // media threads (0: one per core); a room lives on one
    // Test-only: the share (0..100) of forwarded RTP packets the media server drops, to show
    // retransmission at work. Never set in production.
    int mediaTestDropPercent = 0;
    // MEDIA_TEST_BANDWIDTH_CAP (tests only): the peer index (1-based; 0: off) and its cap.
    int mediaTestBandwidthCapPeer = 0;
    std::uint64_t mediaTestBandwidthCapBps = 0;

    // Rooms on the media server (docs/protocol.md, "Rooms on the media server"): with auto, a
    // room of more than meshMaxPeers goes to the media server, and back to peer-to-peer once it
    // has had two members or fewer for meshReturn.
    SfuMode sfuMode = SfuMode::automatic;
    int meshMaxPeers = 4;
    // Last-N: each viewer receives the cameras of this many most recent speakers (and its pins).
    int videoLastN = 16;
    std::chrono::seconds meshReturn{10};

    std::chrono::seconds pingInterval{25};
    std::chrono::seconds pongTimeout{60};
    std::chrono::seconds httpHeaderTimeout{10};
};

// A bad value: what() is the one line printed before exiting with code 2.
class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

using Environment = std::map<std::string, std::string>;

// Layers, later ones winning: defaults, the .env file, the process environment, --flags.
// `args` excludes argv[0]. `--env-file PATH` picks the .env file (default ".env", optional).
Config load(const std::vector<std::string>& args, const Environment& environment);

// Parses the text of a .env file (KEY=VALUE lines, # comments, optional quotes).
Environment parseDotEnv(const std::string& text);

// `pulsemeet --help`: every setting with its flag, variable, default and meaning.
std::string helpText();

// True when args ask for help (--help or -h).
bool wantsHelp(const std::vector<std::string>& args);

}  // namespace pulsemeet::config
