#include "ws/WebSocketSession.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "obs/Logger.hpp"
#include "wire/PeerId.hpp"

namespace pulsemeet::ws {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace http = beast::http;
using wire::CloseCode;

namespace {

// What a message's first read asks for. Beast would prepare its 1536-byte frame size, and an
// idle socket holds that buffer for as long as it waits (most of a socket's life). Signaling
// frames are mostly smaller; a larger message simply takes a second read.
constexpr std::size_t kFirstReadBytes = 512;

using BareSocket = boost::asio::ip::tcp::socket;

// Closes the TCP socket under any of the session's streams; pending operations fail.
template <typename Stream>
void closeSocket(websocket::stream<Stream>& ws) {
    if constexpr (std::is_same_v<Stream, BareSocket>) {
        beast::error_code ignored;
        ws.next_layer().close(ignored);
    } else {
        beast::get_lowest_layer(ws).close();
    }
}

CloseReason reasonFor(CloseCode code) {
    switch (code) {
        case CloseCode::policyViolation:
            return CloseReason::rateLimited;
        case CloseCode::tooBig:
            return CloseReason::tooLarge;
        case CloseCode::invalidPayload:
            return CloseReason::invalidUtf8;
        case CloseCode::serviceRestart:
            return CloseReason::drain;
        case CloseCode::tryAgainLater:
            return CloseReason::slowConsumer;
        default:
            return CloseReason::client;
    }
}

}  // namespace

template <typename Stream>
WebSocketSession<Stream>::WebSocketSession(Stream&& stream, const WebSocketContext& context,
                                           std::string remoteAddress,
                                           signaling::Admission admission, std::string subprotocol,
                                           std::shared_ptr<void> heldForLife)
    : ws_(std::move(stream)),
      timer_(ws_.get_executor()),
      context_(context),
      signaling_(context.hub, context.signalingMetrics, wire::newPeerId(),
                 context.settings.messagesPerSecond),
      admission_(std::move(admission)),
      remoteAddress_(std::move(remoteAddress)),
      subprotocol_(std::move(subprotocol)),
      heldForLife_(std::move(heldForLife)) {}

template <typename Stream>
WebSocketSession<Stream>::~WebSocketSession() = default;

template <typename Stream>
void WebSocketSession<Stream>::run(Request request) {
    if constexpr (!std::is_same_v<Stream, BareSocket>) {
        beast::get_lowest_layer(ws_).expires_never();  // the websocket stream keeps its own timers
    }
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = context_.settings.closeTimeout;
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    // Our own size check sends message-too-large before closing; this is only the backstop.
    ws_.read_message_max(0);
    ws_.auto_fragment(false);
    ws_.set_option(websocket::stream_base::decorator(
        [protocol = subprotocol_](websocket::response_type& response) {
            response.set(http::field::server, "pulsemeet");
            if (!protocol.empty()) response.set(http::field::sec_websocket_protocol, protocol);
        }));
    ws_.control_callback([this](websocket::frame_type, beast::string_view) {
        lastHeard_ = Clock::now();  // pongs (and pings) prove the client is alive
    });
    ws_.async_accept(
        request, [self = this->shared_from_this()](beast::error_code ec) { self->onAccept(ec); });
}

template <typename Stream>
void WebSocketSession<Stream>::onAccept(beast::error_code ec) {
    if (ec) {
        context_.logger.debug("websocket handshake failed",
                              {{"remote", remoteAddress_}, {"error", ec.message()}});
        return;
    }
    opened_ = true;
    lastHeard_ = Clock::now();
    context_.metrics.open.inc();
    context_.metrics.accepted.inc();
    signaling_.open(this->shared_from_this(), admission_);
    context_.logger.debug("websocket opened",
                          {{"peer", signaling_.peerId()}, {"remote", remoteAddress_}});
    armTimer(context_.settings.pingInterval);
    readMore();
}

template <typename Stream>
void WebSocketSession<Stream>::readMore() {
    // Read at most one byte past the limit, so an oversized message is caught without
    // buffering it whole.
    const std::size_t limit = context_.settings.maxMessageBytes + 1;
    const std::size_t room = discarding_           ? 64 * 1024
                             : buffer_.size() == 0 ? std::min(limit, kFirstReadBytes)
                                                   : limit - std::min(limit - 1, buffer_.size());
    ws_.async_read_some(buffer_, room,
                        [self = this->shared_from_this()](beast::error_code ec, std::size_t bytes) {
                            self->onRead(ec, bytes);
                        });
}

template <typename Stream>
void WebSocketSession<Stream>::onRead(beast::error_code ec, std::size_t) {
    if (ec) {
        finish(ec);
        return;
    }
    const auto now = Clock::now();
    lastHeard_ = now;
    if (discarding_ || closing_) {
        buffer_.consume(buffer_.size());
        if (ws_.is_message_done()) discarding_ = false;
        readMore();
        return;
    }
    if (buffer_.size() > context_.settings.maxMessageBytes) {
        buffer_.consume(buffer_.size());
        discarding_ = !ws_.is_message_done();
        signaling_.onTooLarge(context_.settings.maxMessageBytes);
        close(CloseCode::tooBig, "message too large");  // posted: queued after the error reply
        readMore();
        return;
    }
    if (!ws_.is_message_done()) {
        readMore();
        return;
    }
    if (ws_.got_binary()) {
        signaling_.onBinary(now);
    } else {
        const auto data = buffer_.cdata();
        signaling_.onText(std::string_view(static_cast<const char*>(data.data()), data.size()),
                          now);
    }
    buffer_.consume(buffer_.size());
    if (buffer_.capacity() > kFirstReadBytes) buffer_.shrink_to_fit();  // idle sessions stay small
    readMore();
}

template <typename Stream>
void WebSocketSession<Stream>::deliver(wire::SharedMessage message) {
    // Inline when the caller already runs on this session's executor (one I/O thread: always):
    // a relayed frame then goes straight to the socket instead of through another queued
    // handler. enqueue() never calls back into the hub, so this is safe under the hub's lock.
    boost::asio::dispatch(ws_.get_executor(), [self = this->shared_from_this(),
                                               message = std::move(message)]() mutable {
        self->enqueue(std::move(message));
    });
}

template <typename Stream>
void WebSocketSession<Stream>::close(CloseCode code, std::string_view reason) {
    boost::asio::post(ws_.get_executor(),
                      [self = this->shared_from_this(), code, reason = std::string(reason)] {
                          self->startClose(code, reason);
                      });
}

template <typename Stream>
void WebSocketSession<Stream>::enqueue(wire::SharedMessage message) {
    if (closing_ || finished_) return;  // the peer is being disconnected and will be announced
    if (queuedBytes_ + message->size() > context_.settings.writeQueueBytes) {
        context_.logger.warn("closing slow consumer", {{"peer", signaling_.peerId()},
                                                       {"remote", remoteAddress_},
                                                       {"queued_bytes", queuedBytes_},
                                                       {"queued_messages", queue_.size()}});
        startClose(CloseCode::tryAgainLater, "slow consumer: write queue overflow");
        return;
    }
    queuedBytes_ += message->size();
    queue_.push_back(std::move(message));
    if (!writing_) writeNext();
}

template <typename Stream>
void WebSocketSession<Stream>::writeNext() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(boost::asio::buffer(*queue_.front()),
                    [self = this->shared_from_this()](beast::error_code ec, std::size_t bytes) {
                        self->onWrite(ec, bytes);
                    });
}

template <typename Stream>
void WebSocketSession<Stream>::onWrite(beast::error_code ec, std::size_t) {
    writing_ = false;
    if (!queue_.empty()) {
        queuedBytes_ -= queue_.front()->size();
        queue_.pop_front();
    }
    if (ec) {
        queue_.clear();
        queuedBytes_ = 0;
        return;
    }
    if (!queue_.empty()) {
        writeNext();
    } else if (closing_) {
        sendCloseFrame();
    }
}

template <typename Stream>
void WebSocketSession<Stream>::startClose(CloseCode code, std::string_view reason) {
    if (closing_ || finished_ || !opened_) return;
    closing_ = true;
    closeReason_ = reasonFor(code);
    closeFrame_ = websocket::close_reason(static_cast<websocket::close_code>(code), reason);
    if (code == CloseCode::tryAgainLater) {
        // Keep only the frame being written, whose buffer the write still uses.
        while (queue_.size() > (writing_ ? 1u : 0u)) {
            queuedBytes_ -= queue_.back()->size();
            queue_.pop_back();
        }
    }
    context_.logger.info("closing websocket", {{"peer", signaling_.peerId()},
                                               {"remote", remoteAddress_},
                                               {"code", static_cast<int>(code)},
                                               {"reason", reason}});
    if (!writing_) sendCloseFrame();
    armTimer(context_.settings.closeTimeout);
}

template <typename Stream>
void WebSocketSession<Stream>::sendCloseFrame() {
    if (closeFrameSent_) return;
    closeFrameSent_ = true;
    ws_.async_close(closeFrame_, [self = this->shared_from_this()](beast::error_code) {});
}

template <typename Stream>
void WebSocketSession<Stream>::armTimer(Clock::duration after) {
    timer_.expires_after(after);
    timer_.async_wait(
        [self = this->shared_from_this()](beast::error_code ec) { self->onTimer(ec); });
}

template <typename Stream>
void WebSocketSession<Stream>::onTimer(beast::error_code ec) {
    if (ec || finished_) return;  // cancelled: rearmed or finished
    if (closing_) {
        // The client neither read our close frame nor answered it in time.
        abort(*closeReason_);
        return;
    }
    if (Clock::now() - lastHeard_ >= context_.settings.pongTimeout) {
        context_.logger.info("websocket ping timeout",
                             {{"peer", signaling_.peerId()}, {"remote", remoteAddress_}});
        abort(CloseReason::pingTimeout);
        return;
    }
    if (!pinging_) {
        pinging_ = true;
        ws_.async_ping(
            {}, [self = this->shared_from_this()](beast::error_code) { self->pinging_ = false; });
    }
    armTimer(context_.settings.pingInterval);
}

template <typename Stream>
void WebSocketSession<Stream>::abort(CloseReason reason) {
    if (!closeReason_) closeReason_ = reason;
    closing_ = true;
    closeSocket(ws_);  // fails every pending operation; the read ends us
}

template <typename Stream>
void WebSocketSession<Stream>::finish(beast::error_code ec) {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    if (!opened_) return;
    if (!closeReason_) {
        // stream_truncated: a TLS client that went away without close_notify.
        if (ec == websocket::error::closed || ec == beast::errc::connection_reset ||
            ec == boost::asio::error::eof || ec == boost::asio::ssl::error::stream_truncated) {
            closeReason_ = CloseReason::client;
        } else if (ec == websocket::error::bad_frame_payload) {
            closeReason_ = CloseReason::invalidUtf8;
        } else {
            closeReason_ = CloseReason::error;
        }
    }
    context_.metrics.open.dec();
    context_.metrics.closes(*closeReason_).inc();
    // Only a clean close frame with "normal" or "going away" is a hang-up; a client that
    // reconnects closes its old socket with an application code (4000) instead.
    const auto code = ws_.reason().code;
    const bool hungUp =
        ec == websocket::error::closed &&
        (code == websocket::close_code::normal || code == websocket::close_code::going_away);
    signaling_.onClosed(hungUp ? signaling::Departure::left : signaling::Departure::dropped);
    context_.logger.debug("websocket closed", {{"peer", signaling_.peerId()},
                                               {"remote", remoteAddress_},
                                               {"reason", toString(*closeReason_)},
                                               {"error", ec.message()}});
    if (!closing_) closeSocket(ws_);
}

template class WebSocketSession<BareSocket>;
template class WebSocketSession<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace pulsemeet::ws
