#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>

#include "media/Endpoint.hpp"
#include "media/TcpIceConnection.hpp"
#include "media/TcpIceCounters.hpp"

// The media thread's ICE-TCP port (RFC 6544 passive candidate, RFC 4571 framing): it accepts
// clients' connections and feeds every packet they send, tagged with a TCP endpoint, to the same
// entry point as the UDP socket's datagrams; the transport's answers to a TCP endpoint come back
// through send(). Runs on the media thread's event loop (constructed there or before it runs);
// not thread-safe. At most Options::maxConnections connections at once; the rest are closed as
// soon as they are accepted, and counted.
namespace pulsemeet::media {

class TcpIceListener {
  public:
    struct Options {
        std::string bindAddress = "0.0.0.0";
        std::uint16_t port = 0;  // 0: any free port, see port()
        std::size_t maxConnections = 1024;
        TcpIceLimits limits;
    };
    // A packet from a client: true when its sender is, once it is handled, a tuple that ICE
    // accepted (see TcpIceConnection::Hooks::onFrame).
    using FrameHandler = std::function<bool(std::span<std::uint8_t>, const Endpoint&)>;

    // Binds and listens (throws std::runtime_error naming the address when it cannot); accepting
    // starts when the event loop runs.
    TcpIceListener(boost::asio::io_context& io, Options options, FrameHandler onFrame);
    // Closes every connection.
    ~TcpIceListener();
    TcpIceListener(const TcpIceListener&) = delete;
    TcpIceListener& operator=(const TcpIceListener&) = delete;

    std::uint16_t port() const { return port_; }
    // One packet to the client behind a TCP endpoint; false (counted) when there is no such
    // connection or its queue is full.
    bool send(std::span<const std::uint8_t> packet, const Endpoint& to);
    TcpIceCounters counters() const;

  private:
    void accept();
    void onClosed(TcpIceConnection& connection, TcpIceConnection::CloseReason reason);

    Options options_;
    FrameHandler onFrame_;
    TcpIceConnection::Hooks hooks_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::unordered_map<Endpoint, std::shared_ptr<TcpIceConnection>, EndpointHash> connections_;
    TcpIceCounters counters_;
};

}  // namespace pulsemeet::media
