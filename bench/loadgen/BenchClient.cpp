#include "BenchClient.hpp"

#include <netinet/in.h>

#include <boost/asio/detail/socket_option.hpp>

namespace pulsemeet::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

// Lets the kernel pick the source port at connect() time, per destination, so one source
// address is not limited to one ephemeral range shared by every destination.
using BindAddressNoPort = asio::detail::socket_option::boolean<IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT>;

}  // namespace

BenchClient::BenchClient(asio::io_context& ioc, ClientEvents& events, std::size_t index)
    : ws_(ioc), events_(events), index_(index) {}

void BenchClient::connect(const asio::ip::tcp::endpoint& server,
                          const std::optional<asio::ip::address>& source) {
    startedAt_ = Clock::now();
    auto& socket = beast::get_lowest_layer(ws_).socket();
    beast::error_code ec;
    if (source) {
        socket.open(server.protocol(), ec);
        if (!ec) socket.set_option(BindAddressNoPort(true), ec);
        if (!ec) socket.bind(asio::ip::tcp::endpoint(*source, 0), ec);
        if (ec) {
            fail(ec);
            return;
        }
    }
    beast::get_lowest_layer(ws_).async_connect(server,
                                               [this](beast::error_code e) { onConnect(e); });
}

void BenchClient::onConnect(beast::error_code ec) {
    if (ec) {
        fail(ec);
        return;
    }
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().set_option(asio::ip::tcp::no_delay(true), ignored);
    ws_.auto_fragment(false);
    ws_.read_message_max(1 << 20);
    // Masking keys need not be unpredictable for a benchmark; the fast generator keeps the
    // load generator's cost per frame low.
    ws_.secure_prng(false);
    if (!subprotocol_.empty()) {
        ws_.set_option(websocket::stream_base::decorator(
            [protocol = subprotocol_](websocket::request_type& request) {
                request.set(beast::http::field::sec_websocket_protocol, protocol);
            }));
    }
    ws_.async_handshake("127.0.0.1", "/ws", [this](beast::error_code e) {
        if (e) {
            fail(e);
            return;
        }
        open_ = true;
        ws_.text(true);
        events_.onOpen(*this, {});
        readMore();
        if (!queue_.empty() && !writing_) writeNext();
    });
}

void BenchClient::readMore() {
    ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
        if (ec) {
            fail(ec);
            return;
        }
        const auto data = buffer_.cdata();
        events_.onMessage(*this,
                          std::string_view(static_cast<const char*>(data.data()), data.size()));
        buffer_.consume(buffer_.size());
        readMore();
    });
}

void BenchClient::send(std::string text) {
    if (closed_) return;
    queue_.push_back(std::move(text));
    if (open_ && !writing_) writeNext();
}

void BenchClient::writeNext() {
    writing_ = true;
    ws_.async_write(asio::buffer(queue_.front()), [this](beast::error_code ec, std::size_t) {
        writing_ = false;
        queue_.pop_front();
        if (ec) {
            fail(ec);
            return;
        }
        if (!queue_.empty()) writeNext();
    });
}

void BenchClient::dropQueue() {
    // A write in progress still reads the front frame's bytes until its handler runs.
    while (queue_.size() > (writing_ ? 1u : 0u)) queue_.pop_back();
}

void BenchClient::close() {
    if (closed_) return;
    closed_ = true;
    open_ = false;
    dropQueue();
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(ws_).socket().close(ec);
}

void BenchClient::fail(beast::error_code ec) {
    const bool wasClosed = closed_;
    closed_ = true;
    open_ = false;
    dropQueue();
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    if (!wasClosed) events_.onClosed(*this, ec);
}

}  // namespace pulsemeet::bench
