#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "BenchClient.hpp"
#include "Options.hpp"
#include "ProcessStats.hpp"

namespace pulsemeet::bench {

// What every scenario shares: the io_context, the clients (owned here, destroyed before the
// io_context), a paced or bounded way to open them, a ticking timer, and the common report fields.
class Scenario : public ClientEvents {
  public:
    using Clock = BenchClient::Clock;

    explicit Scenario(Options options);
    ~Scenario() override;
    Scenario(const Scenario&) = delete;
    Scenario& operator=(const Scenario&) = delete;

    // Runs to completion and returns the report line's fields.
    boost::json::object run();

  protected:
    // Called once the io_context runs; the scenario starts its work here.
    virtual void start() = 0;
    // Adds the scenario's own fields to the report.
    virtual void report(boost::json::object& out) = 0;

    // Creates client `index` (clients_[index]) and starts its connect.
    BenchClient& openClient(std::size_t index);
    // Opens clients [0, count) keeping at most connectConcurrency handshakes in flight; call
    // connectFinished() from onOpen/onClosed so the next one starts.
    void openBounded(std::size_t count);
    void connectFinished();
    // Calls `tick` every `period` until it returns false.
    void every(Clock::duration period, std::function<bool()> tick);
    // Calls `then` once after `delay`.
    void after(Clock::duration delay, std::function<void()> then);
    void stop();
    // Moves a closed client aside (its aborted handlers may still be queued) so the slot can
    // take a new one.
    void retire(std::size_t index);

    static std::string joinMessage(const std::string& roomId, std::size_t index);
    // The `peerId` of a room-joined message, or empty when `text` is something else.
    static std::string roomJoinedPeerId(std::string_view text);

    Options options_;
    boost::asio::io_context ioc_;
    std::vector<std::unique_ptr<BenchClient>> clients_;
    std::vector<std::unique_ptr<BenchClient>> retired_;
    std::size_t connectErrors_ = 0;
    std::size_t closedByServer_ = 0;
    ProcessSample serverAtStart_{};

  private:
    std::vector<boost::asio::ip::tcp::endpoint> servers_;  // clients take them in turn
    std::vector<boost::asio::ip::address> sources_;
    struct Ticker {
        Ticker(boost::asio::io_context& ioc, Clock::duration every, std::function<bool()> onTick)
            : timer(ioc), period(every), tick(std::move(onTick)) {}
        void arm();
        boost::asio::steady_timer timer;
        Clock::duration period;
        std::function<bool()> tick;
    };
    std::vector<std::unique_ptr<Ticker>> tickers_;
    std::size_t boundedTotal_ = 0;
    std::size_t boundedNext_ = 0;
    std::size_t inFlight_ = 0;
};

std::unique_ptr<Scenario> makeScenario(const Options& options);

}  // namespace pulsemeet::bench
