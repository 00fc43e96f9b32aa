#include "app/Application.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <csignal>
#include <functional>
#include <iostream>
#include <optional>
#include <thread>
#include <vector>

#include "app/HeapTrimmer.hpp"
#include "app/MediaMetrics.hpp"
#include "app/SfuBridge.hpp"
#include "auth/IceServers.hpp"
#include "cluster/LogBus.hpp"
#include "cluster/NoopBus.hpp"
#include "cluster/RedisBus.hpp"
#include "net/AccessGate.hpp"
#include "net/HttpRateLimiter.hpp"
#include "net/Listener.hpp"
#include "net/OriginPolicy.hpp"
#include "net/Readiness.hpp"
#include "net/ServerContext.hpp"
#include "net/StaticFiles.hpp"
#include "net/TlsContext.hpp"
#include "obs/Logger.hpp"
#include "obs/Metrics.hpp"
#include "obs/ProcessMetrics.hpp"
#include "signaling/Hub.hpp"
#include "signaling/ResumeTokens.hpp"
#include "signaling/RoomJoinLimiter.hpp"
#include "signaling/SignalingMetrics.hpp"
#include "ws/WebSocketContext.hpp"
#include "ws/WebSocketMetrics.hpp"

namespace pulsemeet::app {

namespace asio = boost::asio;

namespace {

// Polls until every WebSocket is gone or the deadline passes, then stops the I/O loop.
void awaitDrained(asio::steady_timer& timer, const signaling::Hub& hub,
                  std::chrono::steady_clock::time_point deadline, asio::io_context& ioc,
                  obs::Logger& logger) {
    if (hub.connectionCount() == 0 || std::chrono::steady_clock::now() >= deadline) {
        logger.info("drain finished", {{"connections_left", hub.connectionCount()}});
        ioc.stop();
        return;
    }
    timer.expires_after(std::chrono::milliseconds(50));
    timer.async_wait([&timer, &hub, deadline, &ioc, &logger](boost::system::error_code) {
        awaitDrained(timer, hub, deadline, ioc, logger);
    });
}

// Ends expired held places (peer-left after the resume grace period), four times a second.
void sweepHeld(asio::steady_timer& timer, signaling::Hub& hub) {
    timer.expires_after(std::chrono::milliseconds(250));
    timer.async_wait([&timer, &hub](boost::system::error_code ec) {
        if (ec) return;
        hub.sweep();
        sweepHeld(timer, hub);
    });
}

// REDIS_ENABLED picks the Redis bus, LOG_BUS the logging one (never both: the config refuses
// that); otherwise the instance is alone.
std::unique_ptr<cluster::Bus> makeBus(const config::Config& config, obs::Registry& registry,
                                      obs::Logger& logger, net::Readiness& readiness) {
    if (config.logBus) return std::make_unique<cluster::LogBus>(logger);
    if (!config.redisEnabled) return std::make_unique<cluster::NoopBus>();
    cluster::RedisBusSettings settings;
    settings.endpoint.host = config.redisHost;
    settings.endpoint.port = config.redisPort;
    settings.endpoint.password = config.redisPassword;
    settings.endpoint.db = config.redisDb;
    settings.prefix = config.redisChannel;
    settings.heartbeatTtl = config.redisHeartbeat;
    return std::make_unique<cluster::RedisBus>(std::move(settings), registry, logger,
                                               [&readiness](bool up) { readiness.setBusUp(up); });
}

// Stops the bus's threads before the hub they deliver to is destroyed.
struct BusStopper {
    cluster::Bus& bus;
    ~BusStopper() { bus.stop(); }
};

// Reads the media server's counters into /metrics once a second.
void pollMediaStats(asio::steady_timer& timer, SfuBridge& media, MediaMetrics& metrics) {
    timer.expires_after(std::chrono::seconds(1));
    timer.async_wait([&timer, &media, &metrics](boost::system::error_code ec) {
        if (ec) return;
        media.stats([&metrics](media::SfuStats stats) { metrics.update(stats); });
        pollMediaStats(timer, media, metrics);
    });
}

// Stops the media server's threads before the hub they report to is destroyed.
struct MediaStopper {
    SfuBridge* media;
    ~MediaStopper() {
        if (media != nullptr) media->stop();
    }
};

}  // namespace

int run(const config::Config& config) {
    // First in, last out: every socket below must be destroyed while the loop still exists.
    asio::io_context ioc(config.threads);
    // Loaded first: a bad certificate stops start-up with its one line (ConfigError, exit 2).
    const std::unique_ptr<asio::ssl::context> tls =
        config.tlsCertFile.empty() ? nullptr
                                   : net::loadServerTls(config.tlsCertFile, config.tlsKeyFile);
    obs::Logger logger(config.logLevel, config.logFormat);
    obs::Registry registry;
    obs::addProcessMetrics(registry);
    signaling::SignalingMetrics signalingMetrics(registry);
    ws::WebSocketMetrics webSocketMetrics(registry);

    const auth::IceServers iceServers(auth::IceServerSettings{
        config.stunUrls, config.turnEnabled, config.turnUrls, config.turnUsername,
        config.turnPassword, config.turnSecret, config.turnTtl,
        config.iceTransportPolicy == config::IceTransportPolicy::relay});
    // A token must outlive the grace period it is used in; an hour covers any reconnect.
    const signaling::ResumeTokens resumeTokens(config.sessionSecret, std::chrono::hours(1));

    signaling::HubOptions hubOptions;
    hubOptions.maxPeersPerRoom = config.maxPeersPerRoom;
    hubOptions.iceServersJson = [&iceServers](const std::string& peerId, std::int64_t notAfter) {
        return iceServers.json(peerId, auth::IceServers::Clock::now(), notAfter);
    };
    signaling::RoomJoinLimiter roomJoins(config.maxRoomsPerIpPerMinute);
    hubOptions.admitRoomJoin = [&roomJoins](std::string_view address, std::string_view roomId) {
        return roomJoins.admit(address, roomId);
    };
    hubOptions.iceTransportPolicy = std::string(iceServers.transportPolicy());
    hubOptions.turnConfigured = config.turnEnabled && !config.turnUrls.empty();
    hubOptions.resumeTokens = &resumeTokens;
    hubOptions.hold.grace = std::chrono::seconds(config.resumeGraceSeconds);
    hubOptions.roomModes.policy =
        config.sfuMode == config::SfuMode::always  ? signaling::SfuPolicy::always
        : config.sfuMode == config::SfuMode::never ? signaling::SfuPolicy::never
                                                   : signaling::SfuPolicy::automatic;
    hubOptions.roomModes.meshMaxPeers = static_cast<std::size_t>(config.meshMaxPeers);
    hubOptions.roomModes.meshReturn = config.meshReturn;
    // The media server, unless SFU_MODE=never: its own threads and UDP port (docs/architecture.md,
    // "Media server"). Started before the hub, which is given it as its port.
    std::unique_ptr<SfuBridge> media;
    if (config.sfuMode != config::SfuMode::never) {
        media::Sfu::Options mediaOptions;
        mediaOptions.bindAddress = config.host;
        mediaOptions.port = config.mediaPort;
        mediaOptions.tcpPort = config.mediaTcpPort;
        mediaOptions.announcedAddress = config.mediaAnnouncedIp;
        mediaOptions.workers = static_cast<unsigned>(config.mediaWorkers);
        mediaOptions.testDropPercent = static_cast<unsigned>(config.mediaTestDropPercent);
        if (config.mediaTestBandwidthCapPeer > 0)
            mediaOptions.testBandwidthCap =
                media::TestBandwidthCap{static_cast<unsigned>(config.mediaTestBandwidthCapPeer),
                                        config.mediaTestBandwidthCapBps};
        mediaOptions.videoLastN = static_cast<std::size_t>(config.videoLastN);
        mediaOptions.logger = &logger;
        try {
            media = std::make_unique<SfuBridge>(std::move(mediaOptions));
        } catch (const std::exception& error) {
            logger.error("startup failed", {{"error", error.what()}});
            const bool tcp = std::string_view(error.what()).find("TCP") != std::string_view::npos;
            std::cerr << (tcp ? "MEDIA_TCP_PORT: " : "MEDIA_PORT: ") << error.what() << "\n";
            return 1;
        }
        const auto tcpPort = media->tcpPort();
        logger.info("media server listening", {{"port", media->port()},
                                               {"tcp_port", tcpPort.value_or(0)},
                                               {"announced_ip", config.mediaAnnouncedIp},
                                               {"workers", config.mediaWorkers}});
        hubOptions.media = media.get();
    }
    net::Readiness readiness;
    const std::unique_ptr<cluster::Bus> bus = makeBus(config, registry, logger, readiness);
    hubOptions.bus = bus.get();
    signaling::Hub hub(std::move(hubOptions), signalingMetrics, logger);
    if (media) media->attach(hub);
    // Declared after the hub, so destroyed before it: no media thread reaches a dead hub.
    const MediaStopper mediaStopper{media.get()};
    bus->start(hub);
    const BusStopper busStopper{*bus};

    net::HttpRateLimiter rateLimiter(config.maxHttpPerMinute);
    net::ConnectionLimiter connectionLimiter(config.maxConnsPerIp);
    net::HttpRateLimiter turnCredentials(config.maxTurnCredentialsPerIpPerMinute);
    const net::OriginPolicy originPolicy(config.allowedOrigins, config.publicUrl);
    const net::StaticFiles staticFiles(config.staticDir);
    const ws::WebSocketContext webSocketContext{
        ws::WebSocketSettings{config.maxMessageBytes, config.writeQueueBytes,
                              static_cast<double>(config.maxWsMessagesPerSec), config.pingInterval,
                              config.pongTimeout, std::chrono::seconds(5)},
        hub, signalingMetrics, webSocketMetrics, logger};
    const net::AccessGate accessGate(config.signalingToken, config.jwtSecret);
    const net::ServerContext context{
        config,      logger,     registry,  rateLimiter,      turnCredentials, originPolicy,
        staticFiles, iceServers, readiness, webSocketContext, accessGate,      connectionLimiter};

    if (!staticFiles.hasClient()) {
        logger.warn("browser client not found; serving a placeholder page",
                    {{"static_dir", config.staticDir}});
    }
    if (staticFiles.truncated()) {
        logger.warn("STATIC_DIR holds more files than are served; is it the client's folder?",
                    {{"static_dir", config.staticDir},
                     {"served", std::to_string(staticFiles.fileCount())}});
    }

    boost::system::error_code ec;
    const auto address = asio::ip::make_address(config.host, ec);
    if (ec) {
        std::cerr << "HOST=" << config.host << " is not an IP address\n";
        return 2;
    }
    std::shared_ptr<net::Listener> listener;
    try {
        listener = std::make_shared<net::Listener>(
            ioc, asio::ip::tcp::endpoint(address, config.port), context, tls.get());
    } catch (const std::exception& error) {
        logger.error("startup failed", {{"error", error.what()}});
        std::cerr << error.what() << "\n";
        return 1;
    }
    // METRICS_LISTEN: /metrics (and /healthz) on an address of their own, the same TLS or not.
    std::shared_ptr<net::Listener> metricsListener;
    if (config.metricsListen) {
        try {
            metricsListener = std::make_shared<net::Listener>(
                ioc,
                asio::ip::tcp::endpoint(asio::ip::make_address(config.metricsListen->host),
                                        config.metricsListen->port),
                context, tls.get(), net::Endpoints::metricsOnly);
        } catch (const std::exception& error) {
            logger.error("startup failed", {{"error", error.what()}});
            std::cerr << "METRICS_LISTEN: " << error.what() << "\n";
            return 1;
        }
        metricsListener->run();
        const auto metricsBound = metricsListener->localEndpoint();
        logger.info("metrics listening", {{"host", metricsBound.address().to_string()},
                                          {"port", metricsBound.port()},
                                          {"tls", tls != nullptr}});
    }
    listener->run();
    const auto bound = listener->localEndpoint();
    logger.info("listening", {{"host", bound.address().to_string()},
                              {"port", bound.port()},
                              {"tls", tls != nullptr},
                              {"threads", config.threads},
                              {"static_dir", config.staticDir}});

    asio::steady_timer mediaStatsTimer(ioc);
    std::optional<MediaMetrics> mediaMetrics;
    if (media) {
        mediaMetrics.emplace(registry);
        pollMediaStats(mediaStatsTimer, *media, *mediaMetrics);
    }
    // Held places end on time even when no socket activity happens.
    asio::steady_timer sweepTimer(ioc);
    sweepHeld(sweepTimer, hub);
    // 1 MiB: a surge of a few hundred peers; steady relaying keeps far less than that free.
    HeapTrimmer heapTrimmer(ioc, registry, std::size_t{1} << 20);
    heapTrimmer.start();

    asio::steady_timer drainTimer(ioc);
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code error, int signal) {
        if (error) return;
        // Keep accepting plain HTTP so probes see /readyz 503 and /healthz 200 until exit;
        // upgrades are refused while draining.
        readiness.startDraining();
        sweepTimer.cancel();
        mediaStatsTimer.cancel();
        heapTrimmer.stop();
        // Logged once /readyz already answers 503: whoever reads the line can rely on that.
        logger.info("draining", {{"signal", signal}, {"connections", hub.connectionCount()}});
        hub.closeAll(wire::CloseCode::serviceRestart, "server restarting");
        awaitDrained(drainTimer, hub,
                     std::chrono::steady_clock::now() + std::chrono::seconds(config.drainSeconds),
                     ioc, logger);
    });

    std::vector<std::jthread> workers;
    for (int i = 1; i < config.threads; ++i) workers.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& worker : workers) worker.join();
    // The media threads stop before anything they report to (metrics, hub) is destroyed.
    if (media) media->stop();
    hub.releaseAll();  // sessions still held by the hub close their sockets now
    logger.info("stopped");
    return 0;
}

}  // namespace pulsemeet::app
