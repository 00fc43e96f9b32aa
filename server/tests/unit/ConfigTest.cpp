#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <thread>

#include <boost/asio/ip/address.hpp>

#include "config/Config.hpp"

using namespace pulsemeet::config;

namespace {
Config loadWith(const Environment& env, std::vector<std::string> args = {}) {
    args.insert(args.begin(), {"--env-file", "/dev/null"});
    return load(args, env);
}
std::string errorFor(const Environment& env, std::vector<std::string> args = {}) {
    try {
        loadWith(env, std::move(args));
    } catch (const ConfigError& error) {
        return error.what();
    }
    return "no error";
}
}  // namespace

TEST(Config, DefaultsMatchTheDesign) {
    const Config config = loadWith({});
    EXPECT_EQ(config.port, 8080);
    EXPECT_EQ(config.maxPeersPerRoom, 50);
    EXPECT_EQ(config.maxHttpPerMinute, 300);
    EXPECT_EQ(config.maxWsMessagesPerSec, 30);
    EXPECT_EQ(config.maxMessageBytes, 65536u);
    EXPECT_EQ(config.resumeGraceSeconds, 20);
    EXPECT_EQ(config.logFormat, LogFormat::json);
    EXPECT_GE(config.threads, 1);
    EXPECT_EQ(config.pingInterval, std::chrono::seconds(25));
    EXPECT_EQ(config.pongTimeout, std::chrono::seconds(60));
}

TEST(Config, EnvironmentThenFlagsWin) {
    const Config config = loadWith({{"PORT", "9000"}, {"MAX_PEERS_PER_ROOM", "4"}},
                                   {"--port", "9100", "--log-format=text"});
    EXPECT_EQ(config.port, 9100);
    EXPECT_EQ(config.maxPeersPerRoom, 4);
    EXPECT_EQ(config.logFormat, LogFormat::text);
}

TEST(Config, ListsAreSplitAndTrimmed) {
    const Config config = loadWith(
        {{"ALLOWED_ORIGINS", " https://a.example , https://b.example,"}, {"STUN_URLS", ""}});
    ASSERT_EQ(config.allowedOrigins.size(), 2u);
    EXPECT_EQ(config.allowedOrigins[1], "https://b.example");
    EXPECT_TRUE(config.stunUrls.empty());
}

TEST(Config, BadValuesNameTheVariableAndWhatItAccepts) {
    EXPECT_EQ(errorFor({{"PORT", "abc"}}),
              "PORT=abc (environment) is invalid: expected an integer from 0 to 65535");
    EXPECT_EQ(errorFor({{"MAX_PEERS_PER_ROOM", "0"}}),
              "MAX_PEERS_PER_ROOM=0 (environment) is invalid: expected an integer from 1 to 1000");
    EXPECT_NE(errorFor({{"TURN_ENABLED", "maybe"}}).find("TURN_ENABLED=maybe"), std::string::npos);
    EXPECT_NE(errorFor({{"LOG_FORMAT", "xml"}}).find("json or text"), std::string::npos);
    EXPECT_NE(errorFor({}, {"--port", "99999"}).find("PORT=99999 (--port)"), std::string::npos);
    EXPECT_NE(errorFor({}, {"--no-such-flag", "1"}).find("unknown option --no-such-flag"),
              std::string::npos);
    EXPECT_NE(errorFor({{"TURN_ENABLED", "true"}}).find("TURN_URLS"), std::string::npos);
}

TEST(Config, DotEnvParsing) {
    const auto values = parseDotEnv(
        "# comment\nPORT=9001\nexport HOST='127.0.0.1'\n\nBAD LINE\n"
        "TURN_PASSWORD=\"a b\"\n");
    EXPECT_EQ(values.at("PORT"), "9001");
    EXPECT_EQ(values.at("HOST"), "127.0.0.1");
    EXPECT_EQ(values.at("TURN_PASSWORD"), "a b");
    EXPECT_FALSE(values.contains("BAD LINE"));
}

TEST(Config, HelpListsEverySetting) {
    const std::string help = helpText();
    for (const char* name : {"--port / PORT", "--allowed-origins / ALLOWED_ORIGINS",
                             "--max-ws-messages-per-sec / MAX_WS_MESSAGES_PER_SEC",
                             "--drain-seconds / DRAIN_SECONDS", "--static-dir / STATIC_DIR"}) {
        EXPECT_NE(help.find(name), std::string::npos) << name;
    }
}

TEST(Config, TurnSecretRelayPolicyAndJwtSecret) {
    const Config config = loadWith({{"TURN_ENABLED", "true"},
                                    {"TURN_URLS", "turn:127.0.0.1:3478"},
                                    {"TURN_SECRET", "north-wind"},
                                    {"TURN_TTL_SECONDS", "600"},
                                    {"ICE_TRANSPORT_POLICY", "relay"},
                                    {"JWT_SECRET", "k"}});
    EXPECT_EQ(config.turnSecret, "north-wind");
    EXPECT_EQ(config.turnTtl, std::chrono::seconds(600));
    EXPECT_EQ(config.iceTransportPolicy, IceTransportPolicy::relay);
    EXPECT_EQ(config.jwtSecret, "k");
    EXPECT_EQ(loadWith({}).turnTtl, std::chrono::seconds(3600));
    EXPECT_EQ(loadWith({}).iceTransportPolicy, IceTransportPolicy::all);
}

TEST(Config, TurnAndTokenCombinationsThatCannotWork) {
    EXPECT_NE(errorFor({{"ICE_TRANSPORT_POLICY", "sometimes"}}).find("ICE_TRANSPORT_POLICY="),
              std::string::npos);
    EXPECT_NE(errorFor({{"TURN_TTL_SECONDS", "5"}}).find("TURN_TTL_SECONDS="), std::string::npos);
    EXPECT_NE(errorFor({{"ICE_TRANSPORT_POLICY", "relay"}}).find("ICE_TRANSPORT_POLICY=relay"),
              std::string::npos);
    EXPECT_NE(errorFor({{"TURN_SECRET", "x"}}).find("TURN_SECRET"), std::string::npos);
    EXPECT_NE(errorFor({{"TURN_ENABLED", "true"},
                        {"TURN_URLS", "turn:a"},
                        {"TURN_SECRET", "x"},
                        {"TURN_USERNAME", "u"}})
                  .find("TURN_SECRET"),
              std::string::npos);
    EXPECT_NE(errorFor({{"JWT_SECRET", "a"}, {"SIGNALING_TOKEN", "b"}}).find("JWT_SECRET"),
              std::string::npos);
}

TEST(Config, TheLogBusIsABooleanAndExcludesRedis) {
    EXPECT_FALSE(loadWith({}).logBus);
    EXPECT_TRUE(loadWith({{"LOG_BUS", "true"}}).logBus);
    EXPECT_TRUE(loadWith({}, {"--log-bus", "on"}).logBus);
    EXPECT_EQ(errorFor({{"LOG_BUS", "verbose"}}),
              "LOG_BUS=verbose (environment) is invalid: expected true or false");
    EXPECT_EQ(errorFor({{"LOG_BUS", "true"}, {"REDIS_ENABLED", "true"}}),
              "LOG_BUS=true and REDIS_ENABLED=true: choose one cluster bus");
}

TEST(Config, PerAddressRoomAndTurnCredentialLimits) {
    EXPECT_EQ(loadWith({}).maxRoomsPerIpPerMinute, 20);
    EXPECT_EQ(loadWith({}).maxTurnCredentialsPerIpPerMinute, 10);
    const Config off = loadWith(
        {{"MAX_ROOMS_PER_IP_PER_MINUTE", "0"}, {"MAX_TURN_CREDENTIALS_PER_IP_PER_MINUTE", "0"}});
    EXPECT_EQ(off.maxRoomsPerIpPerMinute, 0);
    EXPECT_EQ(off.maxTurnCredentialsPerIpPerMinute, 0);
    EXPECT_EQ(loadWith({}, {"--max-rooms-per-ip-per-minute", "5"}).maxRoomsPerIpPerMinute, 5);
    EXPECT_EQ(errorFor({{"MAX_ROOMS_PER_IP_PER_MINUTE", "-1"}}),
              "MAX_ROOMS_PER_IP_PER_MINUTE=-1 (environment) is invalid: expected an integer from "
              "0 to 1000000");
    EXPECT_EQ(errorFor({{"MAX_TURN_CREDENTIALS_PER_IP_PER_MINUTE", "many"}}),
              "MAX_TURN_CREDENTIALS_PER_IP_PER_MINUTE=many (environment) is invalid: expected an "
              "integer from 0 to 1000000");
    const std::string help = helpText();
    EXPECT_NE(help.find("--max-rooms-per-ip-per-minute / MAX_ROOMS_PER_IP_PER_MINUTE"),
              std::string::npos);
    EXPECT_NE(
        help.find(
            "--max-turn-credentials-per-ip-per-minute / MAX_TURN_CREDENTIALS_PER_IP_PER_MINUTE"),
        std::string::npos);
}

TEST(Config, AllowedOriginsAndPublicUrlMustBeOrigins) {
    const Config config = loadWith(
        {{"ALLOWED_ORIGINS", "https://a.example, *"}, {"PUBLIC_URL", "https://meet.example.com/"}});
    EXPECT_EQ(config.allowedOrigins, (std::vector<std::string>{"https://a.example", "*"}));
    EXPECT_EQ(config.publicUrl, "https://meet.example.com/");
    EXPECT_TRUE(loadWith({}).publicUrl.empty());
    EXPECT_EQ(errorFor({{"ALLOWED_ORIGINS", "https://a.example,meet.example"}}),
              "ALLOWED_ORIGINS=https://a.example,meet.example (environment) is invalid: expected "
              "* or origins such as https://meet.example.com (scheme://host[:port], no path); "
              "'meet.example' is not one");
    EXPECT_NE(errorFor({{"ALLOWED_ORIGINS", "null"}}).find("'null' is not one"), std::string::npos);
    EXPECT_NE(errorFor({{"ALLOWED_ORIGINS", "https://a.example/app"}}).find("ALLOWED_ORIGINS="),
              std::string::npos);
    EXPECT_EQ(errorFor({}, {"--public-url", "meet.example.com"}),
              "PUBLIC_URL=meet.example.com (--public-url) is invalid: expected an origin such as "
              "https://meet.example.com (scheme://host[:port])");
    EXPECT_NE(errorFor({{"PUBLIC_URL", "https://meet.example.com/room"}}).find("PUBLIC_URL="),
              std::string::npos);
}

TEST(Config, MetricsTokenAndListenAddress) {
    const Config defaults = loadWith({});
    EXPECT_TRUE(defaults.metricsToken.empty());
    EXPECT_FALSE(defaults.metricsListen.has_value());

    const Config config = loadWith(
        {{"METRICS_TOKEN", " scrape-me-0123456789 "}, {"METRICS_LISTEN", "127.0.0.1:9100"}});
    EXPECT_EQ(config.metricsToken, "scrape-me-0123456789");
    ASSERT_TRUE(config.metricsListen.has_value());
    EXPECT_EQ(config.metricsListen->host, "127.0.0.1");
    EXPECT_EQ(config.metricsListen->port, 9100);
    const Config v6 = loadWith({}, {"--metrics-listen", "[::1]:0"});
    EXPECT_EQ(v6.metricsListen->host, "::1");
    EXPECT_EQ(v6.metricsListen->port, 0);

    EXPECT_EQ(errorFor({{"METRICS_TOKEN", "short"}}),
              "METRICS_TOKEN=short (environment) is invalid: expected 16 to 512 printable "
              "characters without spaces");
    EXPECT_NE(
        errorFor({{"METRICS_TOKEN", "has a space in it, long enough"}}).find("METRICS_TOKEN="),
        std::string::npos);
    for (const char* bad : {"9100", ":9100", "localhost:9100", "127.0.0.1", "127.0.0.1:",
                            "127.0.0.1:99999", "::1:9100", "[::1]", "300.0.0.1:9100"}) {
        EXPECT_EQ(errorFor({{"METRICS_LISTEN", bad}}),
                  std::string("METRICS_LISTEN=") + bad +
                      " (environment) is invalid: expected IP:port, such as 127.0.0.1:9100 or "
                      "[::1]:9100 (port 0 picks a free one)")
            << bad;
    }
    EXPECT_EQ(errorFor({{"PORT", "9100"}, {"METRICS_LISTEN", "127.0.0.1:9100"}}),
              "METRICS_LISTEN uses the same port as PORT: choose another port");
    const std::string help = helpText();
    for (const char* name : {"--metrics-token / METRICS_TOKEN", "--metrics-listen / METRICS_LISTEN",
                             "--public-url / PUBLIC_URL"}) {
        EXPECT_NE(help.find(name), std::string::npos) << name;
    }
}

TEST(Config, MediaPortDefaultsTo10000AndZeroMeansAny) {
    EXPECT_EQ(loadWith({}).mediaPort, 10000);
    EXPECT_EQ(loadWith({{"MEDIA_PORT", "0"}}).mediaPort, 0);
    EXPECT_EQ(loadWith({}, {"--media-port", "40000"}).mediaPort, 40000);
    EXPECT_EQ(errorFor({{"MEDIA_PORT", "70000"}}),
              "MEDIA_PORT=70000 (environment) is invalid: expected an integer from 0 to 65535");
}

TEST(Config, MediaTcpPortFollowsMediaPortAndZeroTurnsItOff) {
    EXPECT_EQ(loadWith({}).mediaTcpPort, std::optional<std::uint16_t>(10000));
    EXPECT_EQ(loadWith({{"MEDIA_PORT", "12000"}}).mediaTcpPort,
              std::optional<std::uint16_t>(12000));
    EXPECT_EQ(loadWith({{"MEDIA_PORT", "0"}}).mediaTcpPort, std::optional<std::uint16_t>(0));
    EXPECT_EQ(loadWith({{"MEDIA_TCP_PORT", "443"}}).mediaTcpPort,
              std::optional<std::uint16_t>(443));
    EXPECT_EQ(loadWith({}, {"--media-tcp-port", "40001"}).mediaTcpPort,
              std::optional<std::uint16_t>(40001));
    EXPECT_FALSE(loadWith({{"MEDIA_TCP_PORT", "0"}}).mediaTcpPort.has_value());
    EXPECT_FALSE(loadWith({{"MEDIA_PORT", "0"}, {"MEDIA_TCP_PORT", "0"}}).mediaTcpPort.has_value());
    EXPECT_EQ(errorFor({{"MEDIA_TCP_PORT", "70000"}}),
              "MEDIA_TCP_PORT=70000 (environment) is invalid: expected an integer from 0 to 65535");
    EXPECT_EQ(errorFor({{"MEDIA_TCP_PORT", "tcp"}}),
              "MEDIA_TCP_PORT=tcp (environment) is invalid: expected an integer from 0 to 65535");
    EXPECT_NE(helpText().find("--media-tcp-port / MEDIA_TCP_PORT"), std::string::npos);
}

TEST(Config, MediaAnnouncedIpIsOneReachableAddress) {
    EXPECT_EQ(loadWith({{"MEDIA_ANNOUNCED_IP", " 203.0.113.7 "}}).mediaAnnouncedIp, "203.0.113.7");
    EXPECT_EQ(loadWith({{"MEDIA_ANNOUNCED_IP", "2001:db8::1"}}).mediaAnnouncedIp, "2001:db8::1");
    for (const char* bad : {"0.0.0.0", "::", "224.0.0.1", "example.com", "1.2.3", "1.2.3.4:5"}) {
        EXPECT_EQ(errorFor({{"MEDIA_ANNOUNCED_IP", bad}}),
                  std::string("MEDIA_ANNOUNCED_IP=") + bad +
                      " (environment) is invalid: expected one IP address clients can reach, "
                      "such as 203.0.113.7 (not 0.0.0.0, ::, or multicast)")
            << bad;
    }
    const std::string help = helpText();
    EXPECT_NE(help.find("--media-port / MEDIA_PORT"), std::string::npos);
    EXPECT_NE(help.find("--media-announced-ip / MEDIA_ANNOUNCED_IP"), std::string::npos);
}

TEST(Config, MediaAnnouncedIpDefaultsToHostOrAnInterfaceAddress) {
    EXPECT_EQ(loadWith({{"HOST", "127.0.0.1"}}).mediaAnnouncedIp, "127.0.0.1");
    EXPECT_EQ(loadWith({{"HOST", "192.0.2.5"}}).mediaAnnouncedIp, "192.0.2.5");
    // A wildcard HOST is no address to give clients: some interface's address instead.
    for (const char* wildcard : {"0.0.0.0", "::"}) {
        const auto announced = loadWith({{"HOST", wildcard}}).mediaAnnouncedIp;
        boost::system::error_code ec;
        const auto address = boost::asio::ip::make_address(announced, ec);
        EXPECT_FALSE(ec) << announced;
        EXPECT_FALSE(address.is_unspecified()) << announced;
    }
    // An explicit value wins over HOST.
    EXPECT_EQ(
        loadWith({{"HOST", "127.0.0.1"}, {"MEDIA_ANNOUNCED_IP", "198.51.100.2"}}).mediaAnnouncedIp,
        "198.51.100.2");
}

TEST(Config, RoomsOnTheMediaServerDefaults) {
    const Config config = loadWith({});
    EXPECT_EQ(config.sfuMode, SfuMode::automatic);
    EXPECT_EQ(config.meshMaxPeers, 4);
    EXPECT_EQ(config.meshReturn, std::chrono::seconds(10));
    EXPECT_EQ(config.mediaWorkers,
              static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 16u)));
    EXPECT_EQ(config.mediaTestDropPercent, 0);
    const Config set = loadWith({{"SFU_MODE", "always"},
                                 {"MESH_MAX_PEERS", "2"},
                                 {"MESH_RETURN_SECONDS", "0"},
                                 {"MEDIA_WORKERS", "16"},
                                 {"MEDIA_TEST_DROP_PERCENT", "100"}});
    EXPECT_EQ(set.sfuMode, SfuMode::always);
    EXPECT_EQ(set.meshMaxPeers, 2);
    EXPECT_EQ(set.meshReturn, std::chrono::seconds(0));
    EXPECT_EQ(set.mediaWorkers, 16);
    EXPECT_EQ(set.mediaTestDropPercent, 100);
    EXPECT_EQ(loadWith({}, {"--sfu-mode", "never"}).sfuMode, SfuMode::never);
}

TEST(Config, MediaTestBandwidthCapIsPeerIndexAndBitrate) {
    EXPECT_EQ(loadWith({}).mediaTestBandwidthCapPeer, 0);
    const Config set = loadWith({{"MEDIA_TEST_BANDWIDTH_CAP", "3:150000"}});
    EXPECT_EQ(set.mediaTestBandwidthCapPeer, 3);
    EXPECT_EQ(set.mediaTestBandwidthCapBps, 150000U);
    EXPECT_EQ(errorFor({{"MEDIA_TEST_BANDWIDTH_CAP", "150000"}}),
              "MEDIA_TEST_BANDWIDTH_CAP=150000 (environment) is invalid: expected <peer "
              "index>:<bits per second>, such as 3:150000");
    EXPECT_NE(errorFor({{"MEDIA_TEST_BANDWIDTH_CAP", "0:150000"}}), "");
    EXPECT_NE(errorFor({{"MEDIA_TEST_BANDWIDTH_CAP", "2:abc"}}), "");
}

TEST(Config, SfuModeIsAutoAlwaysOrNever) {
    EXPECT_EQ(errorFor({{"SFU_MODE", "sometimes"}}),
              "SFU_MODE=sometimes (environment) is invalid: expected auto, always or never");
}

TEST(Config, MeshMaxPeersIsAtLeastTwo) {
    EXPECT_EQ(errorFor({{"MESH_MAX_PEERS", "1"}}),
              "MESH_MAX_PEERS=1 (environment) is invalid: expected an integer from 2 to 1000");
}

TEST(Config, MeshReturnSecondsIsANonNegativeInteger) {
    EXPECT_EQ(
        errorFor({{"MESH_RETURN_SECONDS", "-1"}}),
        "MESH_RETURN_SECONDS=-1 (environment) is invalid: expected an integer from 0 to 3600");
    EXPECT_NE(errorFor({{"MESH_RETURN_SECONDS", "ten"}}).find("MESH_RETURN_SECONDS=ten"),
              std::string::npos);
}

TEST(Config, MediaWorkersIsZeroToSixteen) {
    EXPECT_EQ(errorFor({{"MEDIA_WORKERS", "-1"}}),
              "MEDIA_WORKERS=-1 (environment) is invalid: expected an integer from 0 to 16");
    EXPECT_EQ(loadWith({{"MEDIA_WORKERS", "0"}}).mediaWorkers,
              static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 16u)));
    EXPECT_EQ(loadWith({{"MEDIA_WORKERS", "3"}}).mediaWorkers, 3);
    EXPECT_NE(errorFor({{"MEDIA_WORKERS", "17"}}).find("MEDIA_WORKERS=17"), std::string::npos);
}

TEST(Config, VideoLastNDefaultsToSixteenAndIsOneToAThousand) {
    EXPECT_EQ(loadWith({}).videoLastN, 16);
    EXPECT_EQ(loadWith({{"VIDEO_LAST_N", "5"}}).videoLastN, 5);
    EXPECT_EQ(loadWith({}, {"--video-last-n", "1000"}).videoLastN, 1000);
    EXPECT_EQ(errorFor({{"VIDEO_LAST_N", "0"}}),
              "VIDEO_LAST_N=0 (environment) is invalid: expected an integer from 1 to 1000");
    EXPECT_NE(errorFor({{"VIDEO_LAST_N", "lots"}}).find("VIDEO_LAST_N=lots"), std::string::npos);
    EXPECT_NE(helpText().find("--video-last-n / VIDEO_LAST_N"), std::string::npos);
}

TEST(Config, MediaTestDropPercentIsZeroToAHundred) {
    EXPECT_EQ(errorFor({{"MEDIA_TEST_DROP_PERCENT", "101"}}),
              "MEDIA_TEST_DROP_PERCENT=101 (environment) is invalid: expected an integer from 0 to "
              "100");
    const std::string help = helpText();
    EXPECT_NE(help.find("--media-test-drop-percent / MEDIA_TEST_DROP_PERCENT"), std::string::npos);
    EXPECT_NE(help.find("TESTS ONLY"), std::string::npos);
    for (const char* name :
         {"--sfu-mode / SFU_MODE", "--mesh-max-peers / MESH_MAX_PEERS",
          "--mesh-return-seconds / MESH_RETURN_SECONDS", "--media-workers / MEDIA_WORKERS"}) {
        EXPECT_NE(help.find(name), std::string::npos) << name;
    }
}
