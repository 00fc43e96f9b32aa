#pragma once

#include "LatencyRecorder.hpp"
#include "Scenario.hpp"

namespace pulsemeet::bench {

// Connect + WebSocket handshake + join until room-joined, per socket. Paced at --rate joins/s
// for --seconds, or (rate 0) a burst of --connections opened at once. Sockets stay open (rooms
// of R fill up) until the end, as a call's participants would.
class JoinScenario : public Scenario {
  public:
    explicit JoinScenario(Options options);

  protected:
    void start() override;
    void report(boost::json::object& out) override;
    void onOpen(BenchClient& client, boost::beast::error_code ec) override;
    void onMessage(BenchClient& client, std::string_view text) override;
    void onClosed(BenchClient& client, boost::beast::error_code ec) override;

  private:
    void settled();

    std::size_t total_ = 0;
    std::size_t launched_ = 0;
    std::size_t joined_ = 0;
    Clock::time_point begin_{};
    double elapsed_ = 0;
    LatencyRecorder latency_;
};

}  // namespace pulsemeet::bench
