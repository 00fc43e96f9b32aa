#include "IdleScenario.hpp"

namespace pulsemeet::bench {

IdleScenario::IdleScenario(Options options) : Scenario(std::move(options)) {}

void IdleScenario::start() {
    openBounded(static_cast<std::size_t>(options_.connections));
}

void IdleScenario::onOpen(BenchClient& client, boost::beast::error_code) {
    const std::size_t room = client.index() / static_cast<std::size_t>(options_.roomSize);
    client.send(joinMessage("idle-" + std::to_string(room), client.index()));
}

void IdleScenario::onMessage(BenchClient& client, std::string_view text) {
    if (!client.peerId.empty()) return;
    client.peerId = roomJoinedPeerId(text);
    if (client.peerId.empty()) return;
    ++joined_;
    connectFinished();
    settled();
}

void IdleScenario::onClosed(BenchClient& client, boost::beast::error_code) {
    if (client.peerId.empty()) {
        ++connectErrors_;
        connectFinished();
    } else {
        ++closedByServer_;
    }
    settled();
}

void IdleScenario::settled() {
    if (measuring_ || joined_ + connectErrors_ < clients_.size()) return;
    measuring_ = true;
    // Let the server finish the peer-joined fan-out and settle before reading its RSS.
    const auto hold = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(std::max(1.0, options_.seconds)));
    after(hold, [this] {
        held_ = sampleProcess(options_.pid);
        for (const auto& client : clients_) stillOpen_ += client && client->open() ? 1 : 0;
        stop();
    });
}

void IdleScenario::report(boost::json::object& out) {
    out["joined"] = joined_;
    out["still_open"] = stillOpen_;
    out["rss_baseline_kib"] = serverAtStart_.rssKiB;
    out["rss_held_kib"] = held_.rssKiB;
    out["rss_per_conn_kib"] =
        joined_ > 0 ? (held_.rssKiB - serverAtStart_.rssKiB) / static_cast<double>(joined_) : 0.0;
}

}  // namespace pulsemeet::bench
