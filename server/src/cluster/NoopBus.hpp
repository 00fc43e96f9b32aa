#pragma once

#include "cluster/Bus.hpp"

namespace pulsemeet::cluster {

// One instance alone: nothing to share. The hub checks clustered() once and never calls the
// rest, so these bodies only exist to satisfy the interface.
class NoopBus final : public Bus {
  public:
    bool clustered() const override { return false; }
    void start(BusSink&) override {}
    void stop() override {}
    void join(const std::string&, const std::string&, const std::string&, const std::string&, int,
              JoinCallback done) override {
        done(JoinOutcome{});
    }
    void leave(const std::string&, const std::string&, wire::SharedMessage) override {}
    void announceJoined(const std::string&, const std::string&, const std::string&,
                        const std::string&, wire::SharedMessage) override {}
    void announceMedia(const std::string&, const std::string&, const std::string&,
                       wire::SharedMessage) override {}
    RelayOutcome relay(const std::string&, const std::string&, const std::string&,
                       wire::MessageType, wire::SharedMessage) override {
        return RelayOutcome::unknownTarget;
    }
    void swapResumeNonce(const std::string&, const std::string&, const std::string&,
                         std::chrono::seconds, ResumeSwapCallback done) override {
        if (done) done(ResumeSwap::unknown);
    }
};

}  // namespace pulsemeet::cluster
