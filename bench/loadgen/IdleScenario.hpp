#pragma once

#include "Scenario.hpp"

namespace pulsemeet::bench {

// N joined sockets held open: the server's RSS growth over its idle baseline, per socket.
class IdleScenario : public Scenario {
  public:
    explicit IdleScenario(Options options);

  protected:
    void start() override;
    void report(boost::json::object& out) override;
    void onOpen(BenchClient& client, boost::beast::error_code ec) override;
    void onMessage(BenchClient& client, std::string_view text) override;
    void onClosed(BenchClient& client, boost::beast::error_code ec) override;

  private:
    void settled();

    std::size_t joined_ = 0;
    bool measuring_ = false;
    ProcessSample held_{};
    std::size_t stillOpen_ = 0;
};

}  // namespace pulsemeet::bench
