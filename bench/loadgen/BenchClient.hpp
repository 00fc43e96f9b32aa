#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace pulsemeet::bench {

class BenchClient;

// What a scenario hears from its clients. Everything runs on one thread (one io_context), so
// scenarios keep plain counters and never lock.
class ClientEvents {
  public:
    virtual ~ClientEvents() = default;
    virtual void onOpen(BenchClient& client, boost::beast::error_code ec) = 0;
    virtual void onMessage(BenchClient& client, std::string_view text) = 0;
    virtual void onClosed(BenchClient& client, boost::beast::error_code ec) = 0;
};

// One WebSocket connection of the load: connect (optionally from a chosen 127.0.0.x), handshake,
// a read loop reporting each text message, and a write queue sending one frame at a time.
// The owning scenario keeps it alive until its io_context has stopped running.
class BenchClient {
  public:
    using Clock = std::chrono::steady_clock;

    BenchClient(boost::asio::io_context& ioc, ClientEvents& events, std::size_t index);

    // The Sec-WebSocket-Protocol to ask for (Janus wants "janus-protocol"); none by default.
    void setSubprotocol(std::string subprotocol) { subprotocol_ = std::move(subprotocol); }
    void connect(const boost::asio::ip::tcp::endpoint& server,
                 const std::optional<boost::asio::ip::address>& source);
    void send(std::string text);
    void close();

    std::size_t index() const { return index_; }
    bool open() const { return open_; }
    std::size_t queued() const { return queue_.size(); }
    Clock::time_point startedAt() const { return startedAt_; }

    std::string peerId;  // the server-assigned id, once room-joined arrived
    int cycle = 0;       // scenario-owned counter (churn)

  private:
    void onConnect(boost::beast::error_code ec);
    void readMore();
    void writeNext();
    void fail(boost::beast::error_code ec);
    void dropQueue();

    boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
    boost::beast::flat_buffer buffer_;
    ClientEvents& events_;
    std::size_t index_;
    std::deque<std::string> queue_;
    std::string subprotocol_;
    bool writing_ = false;
    bool open_ = false;
    bool closed_ = false;
    Clock::time_point startedAt_{};
};

}  // namespace pulsemeet::bench
