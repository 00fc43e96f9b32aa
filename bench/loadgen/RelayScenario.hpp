#pragma once

#include <set>

#include "LatencyRecorder.hpp"
#include "Scenario.hpp"

namespace pulsemeet::bench {

// N sockets in rooms of R; each sends ~payload-byte ice-candidate frames to the next member of
// its room (a ring). Open loop at an aggregate rate, or closed loop with a window per sender
// (saturation). The frame carries sender index, sequence and send time, so the receiver measures
// latency and detects misrouting; lost = sent - received - still unsent after a drain. Sending
// starts once every client knows every room-mate (room-joined or peer-joined): across instances a
// peer is announced a moment after its own room-joined, and a real client never sends to a peer it
// has not heard of. After 10 s it starts anyway and reports how many clients were left unaware.
class RelayScenario : public Scenario {
  public:
    explicit RelayScenario(Options options);

  protected:
    void start() override;
    void report(boost::json::object& out) override;
    void onOpen(BenchClient& client, boost::beast::error_code ec) override;
    void onMessage(BenchClient& client, std::string_view text) override;
    void onClosed(BenchClient& client, boost::beast::error_code ec) override;

  private:
    void onControl(BenchClient& client, std::string_view text);
    void beginWhenEveryoneKnown();
    std::size_t unannouncedClients() const;  // clients missing a joined room-mate
    void beginSending();
    bool pace();
    void sendFrom(std::size_t sender);
    std::size_t targetOf(std::size_t sender) const;
    bool sending(Clock::time_point now) const { return now < measureEnd_; }
    void finishSoon();

    std::size_t joined_ = 0;
    std::size_t sent_ = 0;
    std::size_t received_ = 0;
    std::size_t measured_ = 0;  // received inside the measured window
    std::size_t misrouted_ = 0;
    std::size_t unsent_ = 0;
    std::size_t unannounced_ = 0;
    bool announceWaitArmed_ = false;
    std::size_t errors_ = 0;  // error messages from the server (peer-not-found, rate-limited...)
    std::vector<std::set<std::string>> known_;  // per client: the room-mates it heard of
    std::size_t maxQueue_ = 0;
    std::size_t cursor_ = 0;
    std::vector<std::uint64_t> sequence_;
    std::string padding_;
    bool started_ = false;
    bool finishing_ = false;
    Clock::time_point begin_{};
    Clock::time_point measureStart_{};
    Clock::time_point measureEnd_{Clock::time_point::max()};
    ProcessSample serverAtMeasureStart_{};
    ProcessSample serverAtMeasureEnd_{};
    std::vector<double> watchedCpu_;  // options_.watched: CPU at the start, then over the window
    bool measureStarted_ = false;
    bool measureEnded_ = false;
    LatencyRecorder latency_;
};

}  // namespace pulsemeet::bench
