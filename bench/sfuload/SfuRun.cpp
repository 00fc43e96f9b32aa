#include "SfuRun.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "JanusPeer.hpp"
#include "LoadPeer.hpp"
#include "ProcessStats.hpp"
#include "WindowProfiler.hpp"

namespace pulsemeet::bench::sfu {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// The 1, 5 and 15 minute load averages, as /proc/loadavg gives them: what else ran on the machine.
std::string loadAverage() {
    std::ifstream file("/proc/loadavg");
    std::string one, five, fifteen;
    file >> one >> five >> fifteen;
    return one + " " + five + " " + fifteen;
}

// The load peer's own CPU time and wake-ups (voluntary context switches), all its threads. On
// one host a sleeping load peer is woken by the server's sends, and the server's CPU pays for each
// wake-up (docs/performance.md, "Wake-ups").
struct OwnUsage {
    double cpuSeconds = 0;
    double wakeUps = 0;
};

OwnUsage ownUsage() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return {static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6,
            static_cast<double>(usage.ru_nvcsw)};
}

// Runs the io_context until `done` says so or `deadline` passes, ticking every peer every 2 ms.
template <typename Done>
bool runUntil(asio::io_context& io, std::vector<std::unique_ptr<Participant>>& peers,
              Clock::time_point deadline, Done done) {
    asio::steady_timer timer(io);
    bool finished = false;
    std::function<void()> arm = [&] {
        timer.expires_after(2ms);
        timer.async_wait([&](const boost::system::error_code& error) {
            if (error) return;
            const auto now = Clock::now();
            for (auto& peer : peers) peer->tick(now);
            if (done()) {
                finished = true;
                return;
            }
            if (now >= deadline) return;
            arm();
        });
    };
    arm();
    io.restart();
    while (!io.stopped()) {
        io.run_for(50ms);
        if (finished || Clock::now() >= deadline) break;
    }
    timer.cancel();
    return finished;
}

}  // namespace

boost::json::object runSfuScenario(const RunOptions& options) {
    asio::io_context io(1);
    RunTotals totals;
    const auto baseline = sampleProcess(options.serverPid);
    const auto address = asio::ip::make_address(options.host);

    std::vector<std::unique_ptr<Participant>> peers;
    JanusFeeds janusFeeds;
    const bool janus = options.server == "janus";
    for (unsigned room = 0; room < options.rooms; ++room) {
        for (unsigned i = 0; i < options.roomSize; ++i) {
            PeerPlan plan;
            plan.roomId = options.roomPrefix + "-" + std::to_string(room);
            plan.index = peers.size();
            plan.publishes = i < options.publishers;
            plan.publishersInRoom = options.publishers;
            plan.signalingAddress = address;
            plan.signalingPort = options.port;
            if (!options.mediaIp.empty())
                plan.mediaAddress = asio::ip::make_address(options.mediaIp);
            if (janus)
                peers.push_back(
                    std::make_unique<JanusPeer>(io, std::move(plan), totals, janusFeeds));
            else
                peers.push_back(std::make_unique<LoadPeer>(io, std::move(plan), totals));
        }
    }
    // Viewers first, then publishers, so that a big room's announcements come in one wave.
    for (auto& peer : peers)
        if (!peer->publishes()) peer->connect();
    for (auto& peer : peers)
        if (peer->publishes()) peer->connect();

    // Warm-up: everyone connected and receiving every stream announced to them.
    const std::size_t expectedStreams = 2 * options.publishers;
    const auto warmedUp =
        runUntil(io, peers,
                 Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(options.warmupSeconds)),
                 [&] {
                     for (const auto& peer : peers) {
                         if (peer->failed()) continue;
                         const std::size_t expected = expectedStreams - (peer->publishes() ? 2 : 0);
                         if (!peer->connected() || peer->streamsReceiving() < expected)
                             return false;
                     }
                     return true;
                 });

    // The window.
    for (auto& peer : peers) peer->resetCounters();
    totals = RunTotals{};
    std::optional<WindowProfiler> profiler;
    if (!options.profileFile.empty()) profiler.emplace(options.serverPid, options.profileFile);
    const auto serverBefore = sampleProcess(options.serverPid);
    const auto loadBefore = loadAverage();
    const auto ownBefore = ownUsage();
    const auto start = Clock::now();
    runUntil(io, peers,
             start + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(options.seconds)),
             [] { return false; });
    const double wall = std::chrono::duration<double>(Clock::now() - start).count();
    const auto serverAfter = sampleProcess(options.serverPid);
    const auto ownAfter = ownUsage();
    const double ownCpu = ownAfter.cpuSeconds - ownBefore.cpuSeconds;
    const double ownWoken = ownAfter.wakeUps - ownBefore.wakeUps;
    const bool profiled = profiler && profiler->stop();

    std::size_t connected = 0;
    std::size_t failed = 0;
    std::uint64_t lost = 0;
    std::string firstFailure;
    std::set<std::string> srtpProfiles;
    for (const auto& peer : peers) {
        if (auto profile = peer->srtpProfile(); !profile.empty())
            srtpProfiles.insert(std::move(profile));
        connected += peer->connected() ? 1 : 0;
        if (peer->failed()) {
            ++failed;
            if (firstFailure.empty()) firstFailure = peer->failure();
        }
        lost += peer->lost();
    }
    for (auto& peer : peers) peer->close();
    io.restart();
    io.run_for(200ms);

    const double serverCpu = serverAfter.cpuSeconds - serverBefore.cpuSeconds;
    const double forwarded = static_cast<double>(totals.received);
    boost::json::object out;
    out["scenario"] = options.scenario;
    out["server"] = options.server;
    out["rooms"] = options.rooms;
    out["room_size"] = options.roomSize;
    out["publishers_per_room"] = options.publishers;
    out["peers"] = peers.size();
    out["connected"] = connected;
    out["failed"] = failed;
    if (!firstFailure.empty()) out["first_failure"] = firstFailure;
    out["warmed_up"] = warmedUp;
    std::string profiles;
    for (const auto& profile : srtpProfiles) profiles += (profiles.empty() ? "" : ",") + profile;
    out["srtp_profiles"] = profiles;
    out["seconds"] = wall;
    out["load_average"] = loadBefore;
    out["published_pps"] = static_cast<double>(totals.published) / wall;
    out["forwarded_pps"] = forwarded / wall;
    out["server_cpu_share"] = serverCpu / wall;
    out["server_cpu_us_per_packet"] = forwarded > 0 ? serverCpu * 1e6 / forwarded : 0.0;
    out["loadgen_cpu_share"] = ownCpu / wall;
    // How many packets each of the server's wake-ups carried (and how often the load peer was
    // woken): what batching can reach; docs/performance.md, "Wake-ups", for what it explains.
    // Summed over the threads alive at each sample: a thread that ended in the window takes its
    // count with it, so a negative difference is no figure (0).
    const double serverWoken = std::max(0.0, serverAfter.wakeUps - serverBefore.wakeUps);
    out["server_wakeups_per_s"] = serverWoken / wall;
    out["forwarded_per_server_wakeup"] = serverWoken > 0 ? forwarded / serverWoken : 0.0;
    out["loadgen_wakeups_per_s"] = ownWoken / wall;
    const double expected = static_cast<double>(totals.unique + lost);
    out["lost"] = lost;
    out["loss_percent"] = expected > 0 ? 100.0 * static_cast<double>(lost) / expected : 0.0;
    out["late"] = totals.late;
    out["duplicates"] = totals.duplicates;
    out["misrouted"] = totals.misrouted;
    out["nacks_received"] = totals.nacksReceived;
    out["retransmitted"] = totals.retransmitted;
    out["key_frame_requests"] = totals.plisReceived;
    out["server_rss_kib"] = serverAfter.rssKiB;
    out["rss_per_transport_kib"] =
        connected > 0 ? (serverAfter.rssKiB - baseline.rssKiB) / static_cast<double>(connected)
                      : 0.0;
    if (profiler) out["profile_file"] = profiled ? options.profileFile : "";
    totals.latency.report(out, "latency_");
    return out;
}

}  // namespace pulsemeet::bench::sfu
