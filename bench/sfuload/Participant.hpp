#pragma once

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

// One participant of the load, whichever server it talks to (LoadPeer: pulsemeet's signaling;
// JanusPeer: Janus's VideoRoom). SfuRun drives them all on one thread.
namespace pulsemeet::bench::sfu {

struct PeerPlan {
    std::string roomId;
    std::size_t index = 0;
    bool publishes = true;
    std::size_t publishersInRoom = 0;
    boost::asio::ip::address signalingAddress;
    unsigned short signalingPort = 0;
    // Janus only: the address the load peer's media sockets bind and announce as their host
    // candidate (the address Janus's own candidate has).
    std::optional<boost::asio::ip::address> mediaAddress;
};

class Participant {
  public:
    using Clock = std::chrono::steady_clock;
    virtual ~Participant() = default;

    virtual void connect() = 0;
    // Sends what is due and drives the media links' timers.
    virtual void tick(Clock::time_point now) = 0;
    virtual void close() = 0;
    // Every media link connected.
    virtual bool connected() const = 0;
    virtual std::size_t streamsReceiving() const = 0;
    virtual std::uint64_t lost() const = 0;
    virtual void resetCounters() = 0;
    virtual bool publishes() const = 0;
    // The SRTP profile of its (first connected) media link, "" when none is connected.
    virtual std::string srtpProfile() const = 0;

    bool failed() const { return failed_; }
    const std::string& failure() const { return failure_; }

  protected:
    void fail(std::string why) {
        if (failed_) return;
        failed_ = true;
        failure_ = std::move(why);
    }

  private:
    bool failed_ = false;
    std::string failure_;
};

}  // namespace pulsemeet::bench::sfu
