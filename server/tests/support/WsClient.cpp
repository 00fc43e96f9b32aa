#include "WsClient.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <stdexcept>

namespace pulsemeet::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;

WsClient::WsClient(std::uint16_t port, Options options) : ws_(ioc_) {
    auto& lowest = beast::get_lowest_layer(ws_);
    lowest.expires_after(10s);
    lowest.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    lowest.expires_never();
    ws_.set_option(websocket::stream_base::decorator([&options](websocket::request_type& request) {
        for (const auto& [name, value] : options.headers) request.set(name, value);
    }));
    ws_.read_message_max(0);
    websocket::response_type response;
    ws_.handshake(response, "127.0.0.1:" + std::to_string(port), options.target);
    subprotocol_ = std::string(response[http::field::sec_websocket_protocol]);
    startRead();
}

WsClient::~WsClient() {
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
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
    ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
        if (ec) {
            closed_ = true;
            closeCode_ = ec == websocket::error::closed ? ws_.reason().code : 1006;
            return;
        }
        inbox_.push_back(beast::buffers_to_string(buffer_.data()));
        buffer_.consume(buffer_.size());
        startRead();
    });
}

bool WsClient::pump(std::chrono::steady_clock::time_point deadline) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    ioc_.restart();
    ioc_.run_one_for(deadline - now);
    return true;
}

void WsClient::send(const std::string& text) {
    ws_.text(true);
    ws_.write(boost::asio::buffer(text));
}

void WsClient::send(const boost::json::object& message) {
    send(boost::json::serialize(message));
}

void WsClient::sendBinary(const std::string& bytes) {
    ws_.binary(true);
    ws_.write(boost::asio::buffer(bytes));
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
    beast::error_code ec;
    ws_.close(websocket::close_code::normal, ec);
}

}  // namespace pulsemeet::testing
