#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "media/Endpoint.hpp"
#include "media/Rfc4571Reader.hpp"
#include "media/TcpIceLimits.hpp"

// One client's ICE-TCP connection to the media server (RFC 6544: we are the passive side). It
// reads RFC 4571 frames and hands each to the media thread's packet entry point, and writes the
// packets the transport sends back, framed, through a bounded queue. It lives on the media
// thread's event loop; nothing here locks. It closes itself when the client sends no binding
// request that ICE accepts by the deadline, breaks the framing, or goes silent for the consent
// timeout.
namespace pulsemeet::media {

class TcpIceConnection : public std::enable_shared_from_this<TcpIceConnection> {
  public:
    using Clock = std::chrono::steady_clock;

    enum class CloseReason : std::uint8_t { noValidStun, badFraming, idle, peer, server };

    // What the connection asks of its owner (the listener). Called on the media thread.
    struct Hooks {
        // A packet that arrived; true when, once handled, its sender is a tuple some transport's
        // ICE accepted (the connection has then proved itself).
        std::function<bool(std::span<std::uint8_t>, const Endpoint&)> onFrame;
        // Closed (once): the owner forgets it.
        std::function<void(TcpIceConnection&, CloseReason)> onClosed;
    };

    TcpIceConnection(boost::asio::ip::tcp::socket socket, const Endpoint& remote,
                     const TcpIceLimits& limits, Hooks& hooks);
    TcpIceConnection(const TcpIceConnection&) = delete;
    TcpIceConnection& operator=(const TcpIceConnection&) = delete;

    // Starts reading and the deadline. Call once, right after make_shared.
    void start();
    // Frames and queues one packet; false (dropped) when the queue is full or it is closed.
    bool send(std::span<const std::uint8_t> packet);
    // Closes the socket; the owner hears onClosed once. Safe to call more than once.
    void close(CloseReason reason);

    const Endpoint& remote() const { return remote_; }
    bool validated() const { return validated_; }

  private:
    void read();
    void onRead(std::size_t size);
    void writeNext();
    void armTimer(Clock::time_point at);
    void onTimer();

    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer timer_;
    Endpoint remote_;
    const TcpIceLimits& limits_;
    Hooks& hooks_;
    Rfc4571Reader reader_;
    std::deque<std::vector<std::uint8_t>> queue_;
    std::size_t queuedBytes_ = 0;
    bool writing_ = false;
    bool closed_ = false;
    bool validated_ = false;
    std::size_t framesBeforeValid_ = 0;
    Clock::time_point lastFrame_;
};

}  // namespace pulsemeet::media
