#include "ChurnScenario.hpp"

#include <boost/asio/post.hpp>

namespace pulsemeet::bench {

namespace {
constexpr int kRoomsPerConnection = 10;  // reconnect after this many joins
constexpr int kRoomRotation = 1000;      // distinct room names per worker group
}  // namespace

ChurnScenario::ChurnScenario(Options options) : Scenario(std::move(options)) {}

void ChurnScenario::start() {
    begin_ = Clock::now();
    openBounded(static_cast<std::size_t>(options_.connections));
    every(std::chrono::milliseconds(100), [this] {
        peakKiB_ = std::max(peakKiB_, sampleProcess(options_.pid).rssKiB);
        if (Clock::now() - begin_ < std::chrono::duration<double>(options_.seconds)) return true;
        finish();
        return false;
    });
}

void ChurnScenario::joinNext(BenchClient& client) {
    // Workers of one group walk the same room names, so rooms hold several members at a time.
    const std::size_t group = client.index() / static_cast<std::size_t>(options_.roomSize);
    client.send(joinMessage(
        "churn-" + std::to_string(group) + "-" + std::to_string(client.cycle % kRoomRotation),
        client.index()));
}

void ChurnScenario::onOpen(BenchClient& client, boost::beast::error_code) {
    connectFinished();
    joinNext(client);
}

void ChurnScenario::onMessage(BenchClient& client, std::string_view text) {
    if (text.find("\"room-joined\"") == std::string_view::npos) return;
    ++joins_;
    ++client.cycle;
    if (!running_) return;
    if (client.cycle % kRoomsPerConnection == 0) {
        // Drop the socket and come back on a new one, as a reloading browser tab does.
        const auto index = client.index();
        const int cycle = client.cycle;
        client.close();
        ++reconnects_;
        // Not from inside this client's own read handler: it still runs after we return.
        boost::asio::post(ioc_, [this, index, cycle] {
            retire(index);
            openClient(index).cycle = cycle;
        });
        return;
    }
    client.send(R"({"type":"leave"})");
    joinNext(client);
}

void ChurnScenario::onClosed(BenchClient&, boost::beast::error_code) {
    if (running_) ++connectErrors_;
}

void ChurnScenario::finish() {
    running_ = false;
    for (auto& client : clients_) {
        if (client) client->close();
    }
    // The server notices the closes, announces peer-left and frees the rooms; then measure.
    after(std::chrono::seconds(3), [this] {
        after_ = sampleProcess(options_.pid);
        stop();
    });
}

void ChurnScenario::report(boost::json::object& out) {
    const double seconds = options_.seconds;
    out["seconds"] = seconds;
    out["joins"] = joins_;
    out["join_rate"] = seconds > 0 ? static_cast<double>(joins_) / seconds : 0.0;
    out["reconnects"] = reconnects_;
    out["rss_baseline_kib"] = serverAtStart_.rssKiB;
    out["rss_peak_kib"] = peakKiB_;
    out["rss_after_kib"] = after_.rssKiB;
    out["rss_growth_pct"] =
        serverAtStart_.rssKiB > 0
            ? 100.0 * (after_.rssKiB - serverAtStart_.rssKiB) / serverAtStart_.rssKiB
            : 0.0;
}

}  // namespace pulsemeet::bench
