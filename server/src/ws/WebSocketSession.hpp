#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <memory>
#include <string>

#include "signaling/SignalingConnection.hpp"
#include "ws/WebSocketContext.hpp"
#include "ws/WebSocketMetrics.hpp"
#include "ws/WriteQueue.hpp"

namespace pulsemeet::ws {

// One client's WebSocket: a read loop feeding the signaling connection, a bounded write queue
// (bytes) drained one frame at a time, pings, and the close codes of the protocol.
// All of its state is touched only on its strand; deliver() and close() post there.
// `Stream` is the connection's byte stream, plain TCP or TLS (both instantiated in the .cpp).
template <typename Stream>
class WebSocketSession : public std::enable_shared_from_this<WebSocketSession<Stream>>,
                         public signaling::PeerLink {
  public:
    using Request = boost::beast::http::request<boost::beast::http::string_body>;

    WebSocketSession(Stream&& stream, const WebSocketContext& context, std::string remoteAddress,
                     signaling::Admission admission, std::string subprotocol,
                     std::shared_ptr<void> heldForLife = {});
    ~WebSocketSession() override;

    void run(Request request);

    void deliver(wire::SharedMessage message) override;
    void close(wire::CloseCode code, std::string_view reason) override;

  private:
    using Clock = std::chrono::steady_clock;

    void onAccept(boost::beast::error_code ec);
    void readMore();
    void onRead(boost::beast::error_code ec, std::size_t bytes);
    void enqueue(wire::SharedMessage message);
    void writeNext();
    void onWrite(boost::beast::error_code ec, std::size_t bytes);
    // Stops taking new messages and closes with `code` once what is queued has been written;
    // a slow consumer's queue is dropped instead (it is the reason for closing).
    void startClose(wire::CloseCode code, std::string_view reason);
    void sendCloseFrame();
    void armTimer(Clock::duration after);
    void onTimer(boost::beast::error_code ec);
    void abort(CloseReason reason);
    void finish(boost::beast::error_code ec);

    boost::beast::websocket::stream<Stream> ws_;
    boost::beast::flat_buffer buffer_;
    boost::asio::steady_timer timer_;
    const WebSocketContext& context_;
    signaling::SignalingConnection signaling_;
    signaling::Admission admission_;
    std::string remoteAddress_;
    std::string subprotocol_;
    // Whatever the caller needs kept until this socket is gone: the HTTP side's place under
    // MAX_CONNS_PER_IP. Opaque, so that ws needs nothing from net, which includes ws.
    std::shared_ptr<void> heldForLife_;

    WriteQueue queue_;
    std::size_t queuedBytes_ = 0;
    bool writing_ = false;
    bool pinging_ = false;
    bool closing_ = false;
    bool closeFrameSent_ = false;
    boost::beast::websocket::close_reason closeFrame_;
    bool opened_ = false;
    bool finished_ = false;
    bool discarding_ = false;  // reading the rest of an oversized message
    std::optional<CloseReason> closeReason_;
    Clock::time_point lastHeard_;
};

}  // namespace pulsemeet::ws
