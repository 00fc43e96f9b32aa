#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message_generator.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "net/Endpoints.hpp"
#include "net/HttpRouter.hpp"
#include "net/ServerContext.hpp"
#include "net/Transport.hpp"

namespace pulsemeet::net {

// One HTTP/1.1 connection: reads requests under a header deadline, refuses ambiguous framing,
// applies the per-IP limit and /metrics' access rule, answers through the router, and hands /ws
// upgrades to a WebSocket session over the same stream. `Stream` is PlainStream or TlsStream
// (instantiated for both in the .cpp); over TLS the handshake comes first, under the same deadline
// as a request's headers.
template <typename Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
  public:
    HttpSession(Stream&& stream, const ServerContext& context,
                Endpoints endpoints = Endpoints::all);
    void run();

  private:
    using Clock = std::chrono::steady_clock;

    void onHandshake(boost::beast::error_code ec);
    void readRequest();
    void onRead(boost::beast::error_code ec, std::size_t bytes);
    std::optional<RoutedResponse> framingRefusal() const;
    std::optional<RoutedResponse> endpointRefusal(std::string_view path) const;
    RoutedResponse refusal(boost::beast::http::status status, std::string_view message) const;
    void upgrade();
    void respondWith(RoutedResponse routed);
    void respond(unsigned status, boost::beast::http::message_generator response);
    void onWrite(bool keepAlive, boost::beast::error_code ec, std::size_t bytes);
    void record(unsigned status) const;
    void shutdown();

    Stream stream_;
    boost::beast::flat_buffer buffer_;
    const ServerContext& context_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    Endpoints endpoints_;
    boost::asio::ip::address peer_;  // the TCP peer (unspecified when unknown)
    std::string remoteAddress_;
    ConnectionSlot slot_;  // empty: over MAX_CONNS_PER_IP, answered 429
    Clock::time_point started_{};
};

}  // namespace pulsemeet::net
