#include "HttpsClient.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "HttpExchange.hpp"

namespace pulsemeet::testing {

HttpResult httpsGet(std::uint16_t port, const std::string& target, const std::string& caFile,
                    const std::map<std::string, std::string>& headers) {
    namespace beast = boost::beast;
    namespace ssl = boost::asio::ssl;
    boost::asio::io_context ioc;
    ssl::context tls(ssl::context::tls_client);
    tls.load_verify_file(caFile);
    tls.set_verify_mode(ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, tls);
    stream.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
    beast::get_lowest_layer(stream).connect(
        boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    stream.handshake(ssl::stream_base::client);
    auto withClose = headers;
    withClose.emplace("connection", "close");
    return exchangeGet(stream, port, target, withClose);
}

}  // namespace pulsemeet::testing
