#include "WsClient.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <stdexcept>

namespace pulsemeet::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;

namespace {

// Configured before any stream exists: a stream copies its context's settings when created.
boost::asio::ssl::context clientTls(const std::string& caFile) {
    boost::asio::ssl::context tls(boost::asio::ssl::context::tls_client);
    if (!caFile.empty()) {
        tls.load_verify_file(caFile);
        tls.set_verify_mode(boost::asio::ssl::verify_peer);
    }
    return tls;
}

template <typename Variant>
Variant makeWebSocket(boost::asio::io_context& ioc, boost::asio::ssl::context& tls, bool useTls) {
    using Plain = std::variant_alternative_t<0, Variant>;
    using Tls = std::variant_alternative_t<1, Variant>;
    if (useTls) return Variant(std::in_place_type<Tls>, ioc, tls);
    return Variant(std::in_place_type<Plain>, ioc);
}

}  // namespace

WsClient::WsClient(std::uint16_t port, Options options)
    : tls_(clientTls(options.tlsCaFile)),
      ws_(makeWebSocket<decltype(ws_)>(ioc_, tls_, !options.tlsCaFile.empty())) {
    std::visit([&](auto& ws) { connect(ws, port, options); }, ws_);
    startRead();
}

template <typename WebSocket>
void WsClient::connect(WebSocket& ws, std::uint16_t port, const Options& options) {
    auto& lowest = beast::get_lowest_layer(ws);
    lowest.expires_after(10s);
    lowest.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    if constexpr (std::is_same_v<WebSocket, TlsWebSocket>) {
        ws.next_layer().set_verify_callback(boost::asio::ssl::host_name_verification("127.0.0.1"));
        ws.next_layer().handshake(boost::asio::ssl::stream_base::client);
    }
    lowest.expires_never();
    ws.set_option(websocket::stream_base::decorator([&options](websocket::request_type& request) {
        for (const auto& [name, value] : options.headers) request.set(name, value);
    }));
    ws.read_message_max(0);
    websocket::response_type response;
    ws.handshake(response, "127.0.0.1:" + std::to_string(port), options.target);
    subprotocol_ = std::string(response[http::field::sec_websocket_protocol]);
}

WsClient::~WsClient() {
    std::visit(
        [](auto& ws) {
            beast::error_code ec;
            beast::get_lowest_layer(ws).socket().close(ec);
        },
        ws_);
}

int WsClient::refusedStatus(std::uint16_t port, const Options& options) {
    boost::asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(10s);
    stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> request{http::verb::get, options.target, 11};
    request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    request.set(http::field::upgrade, "websocket");
    request.set(http::field::connection, "upgrade");
    request.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
    request.set(http::field::sec_websocket_version, "13");
    for (const auto& [name, value] : options.headers) request.set(name, value);
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    const int status = static_cast<int>(response.result_int());
    return status == 101 ? 0 : status;
}

void WsClient::startRead() {
    std::visit(
        [this](auto& ws) {
            ws.async_read(buffer_, [this, &ws](beast::error_code ec, std::size_t) {
                if (ec) {
                    closed_ = true;
                    closeCode_ = ec == websocket::error::closed ? ws.reason().code : 1006;
                    return;
                }
                inbox_.push_back(beast::buffers_to_string(buffer_.data()));
                buffer_.consume(buffer_.size());
                startRead();
            });
        },
        ws_);
}

bool WsClient::pump(std::chrono::steady_clock::time_point deadline) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    ioc_.restart();
    ioc_.run_one_for(deadline - now);
    return true;
}

void WsClient::send(const std::string& text) {
    std::visit(
        [&text](auto& ws) {
            ws.text(true);
            ws.write(boost::asio::buffer(text));
        },
        ws_);
}

void WsClient::send(const boost::json::object& message) {
    send(boost::json::serialize(message));
}

void WsClient::sendBinary(const std::string& bytes) {
    std::visit(
        [&bytes](auto& ws) {
            ws.binary(true);
            ws.write(boost::asio::buffer(bytes));
        },
        ws_);
}

std::optional<std::string> WsClient::receive(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (inbox_.empty() && !closed_) {
        if (!pump(deadline)) return std::nullopt;
    }
    if (inbox_.empty()) return std::nullopt;
    std::string message = std::move(inbox_.front());
    inbox_.pop_front();
    return message;
}

boost::json::object WsClient::next(std::chrono::milliseconds timeout) {
    auto text = receive(timeout);
    if (!text) throw std::runtime_error(closed_ ? "socket closed" : "no message before deadline");
    return boost::json::parse(*text).as_object();
}

boost::json::object WsClient::nextOfType(const std::string& type,
                                         std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) throw std::runtime_error("no " + type + " before deadline");
        auto message = next(left);
        if (message["type"].as_string() == type) return message;
    }
}

boost::json::object WsClient::join(const std::string& roomId, const std::string& name) {
    boost::json::object message{{"type", "join"}, {"roomId", roomId}};
    if (!name.empty()) message["data"] = boost::json::object{{"name", name}};
    send(message);
    return nextOfType("room-joined");
}

std::optional<int> WsClient::waitClosed(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!closed_) {
        inbox_.clear();
        if (!pump(deadline)) return std::nullopt;
    }
    return closeCode_;
}

void WsClient::closeNormally() {
    std::visit(
        [](auto& ws) {
            beast::error_code ec;
            ws.close(websocket::close_code::normal, ec);
        },
        ws_);
}

}  // namespace pulsemeet::testing
