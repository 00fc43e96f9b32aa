#pragma once

#include "Scenario.hpp"

namespace pulsemeet::bench {

// --connections workers, each joining a room, leaving it and joining the next in a loop, and
// reconnecting every few rooms, for --seconds. Rooms are created and emptied continuously.
// Reports the join rate and whether the server's RSS comes back to its baseline afterwards.
class ChurnScenario : public Scenario {
  public:
    explicit ChurnScenario(Options options);

  protected:
    void start() override;
    void report(boost::json::object& out) override;
    void onOpen(BenchClient& client, boost::beast::error_code ec) override;
    void onMessage(BenchClient& client, std::string_view text) override;
    void onClosed(BenchClient& client, boost::beast::error_code ec) override;

  private:
    void joinNext(BenchClient& client);
    void finish();

    std::size_t joins_ = 0;
    std::size_t reconnects_ = 0;
    bool running_ = true;
    double peakKiB_ = 0;
    ProcessSample after_{};
    Clock::time_point begin_{};
};

}  // namespace pulsemeet::bench
