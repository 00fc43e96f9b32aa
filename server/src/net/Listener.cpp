#include "net/Listener.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>

#include <stdexcept>

#include "net/HttpSession.hpp"

namespace pulsemeet::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Listener::Listener(asio::io_context& ioc, const tcp::endpoint& endpoint,
                   const ServerContext& context, asio::ssl::context* tls, Endpoints endpoints)
    : ioc_(ioc),
      acceptor_(asio::make_strand(ioc)),
      context_(context),
      tls_(tls),
      endpoints_(endpoints) {
    boost::system::error_code ec;
    const auto where = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
}

tcp::endpoint Listener::localEndpoint() const {
    return acceptor_.local_endpoint();
}

void Listener::run() {
    asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->accept(); });
}

void Listener::stop() {
    asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
        boost::system::error_code ec;
        self->acceptor_.close(ec);
    });
}

void Listener::accept() {
    // One I/O thread runs every handler in order already: a strand per connection would only
    // add a queue and a type-erased hop to every read, write and delivery.
    const auto executor = context_.config.threads == 1
                              ? asio::any_io_executor(ioc_.get_executor())
                              : asio::any_io_executor(asio::make_strand(ioc_));
    acceptor_.async_accept(
        executor, [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
            if (ec) {
                // Out of file descriptors and the like: log and keep accepting.
                self->context_.logger.warn("accept failed", {{"error", ec.message()}});
            } else {
                socket.set_option(tcp::no_delay(true), ec);
                if (self->tls_ != nullptr) {
                    std::make_shared<HttpSession<TlsStream>>(
                        TlsStream(std::move(socket), *self->tls_), self->context_, self->endpoints_)
                        ->run();
                } else {
                    std::make_shared<HttpSession<PlainStream>>(PlainStream(std::move(socket)),
                                                               self->context_, self->endpoints_)
                        ->run();
                }
            }
            self->accept();
        });
}

}  // namespace pulsemeet::net
