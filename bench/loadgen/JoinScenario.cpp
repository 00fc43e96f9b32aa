#include "JoinScenario.hpp"

namespace pulsemeet::bench {

JoinScenario::JoinScenario(Options options) : Scenario(std::move(options)) {
    total_ = options_.rate > 0 ? static_cast<std::size_t>(options_.rate * options_.seconds)
                               : static_cast<std::size_t>(options_.connections);
}

void JoinScenario::start() {
    begin_ = Clock::now();
    clients_.resize(total_);
    if (options_.rate <= 0) {
        for (std::size_t i = 0; i < total_; ++i) openClient(i);
        return;
    }
    every(std::chrono::milliseconds(1), [this] {
        const double elapsed = std::chrono::duration<double>(Clock::now() - begin_).count();
        const auto due = std::min(total_, static_cast<std::size_t>(elapsed * options_.rate));
        while (launched_ < due) openClient(launched_++);
        return launched_ < total_;
    });
}

void JoinScenario::onOpen(BenchClient& client, boost::beast::error_code) {
    const std::size_t room = client.index() / static_cast<std::size_t>(options_.roomSize);
    client.send(joinMessage("join-" + std::to_string(room), client.index()));
}

void JoinScenario::onMessage(BenchClient& client, std::string_view text) {
    if (!client.peerId.empty()) return;
    client.peerId = roomJoinedPeerId(text);
    if (client.peerId.empty()) return;
    ++joined_;
    latency_.add(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - client.startedAt())
            .count());
    settled();
}

void JoinScenario::onClosed(BenchClient& client, boost::beast::error_code) {
    if (client.peerId.empty()) {
        ++connectErrors_;
    } else {
        ++closedByServer_;
    }
    settled();
}

void JoinScenario::settled() {
    if (joined_ + connectErrors_ < total_) return;
    elapsed_ = std::chrono::duration<double>(Clock::now() - begin_).count();
    stop();
}

void JoinScenario::report(boost::json::object& out) {
    out["offered_rate"] = options_.rate;
    out["attempted"] = total_;
    out["joined"] = joined_;
    out["seconds"] = elapsed_;
    latency_.report(out, "join_");
    const auto now = sampleProcess(options_.pid);
    out["server_cpu_s"] = now.cpuSeconds - serverAtStart_.cpuSeconds;
}

}  // namespace pulsemeet::bench
