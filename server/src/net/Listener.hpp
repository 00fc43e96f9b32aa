#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <memory>

#include "net/Endpoints.hpp"
#include "net/ServerContext.hpp"

namespace pulsemeet::net {

// Accepts connections and starts an HttpSession for each, each on its own strand: over TLS
// when given a TLS context (which must outlive the listener and its sessions), else plain;
// answering `endpoints`.
class Listener : public std::enable_shared_from_this<Listener> {
  public:
    // Binds and listens; throws std::runtime_error with a readable line when it cannot.
    Listener(boost::asio::io_context& ioc, const boost::asio::ip::tcp::endpoint& endpoint,
             const ServerContext& context, boost::asio::ssl::context* tls = nullptr,
             Endpoints endpoints = Endpoints::all);
    void run();
    void stop();
    boost::asio::ip::tcp::endpoint localEndpoint() const;

  private:
    void accept();

    boost::asio::io_context& ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    const ServerContext& context_;
    boost::asio::ssl::context* tls_;
    Endpoints endpoints_;
};

}  // namespace pulsemeet::net
