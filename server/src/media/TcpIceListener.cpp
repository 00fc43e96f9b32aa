#include "media/TcpIceListener.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace pulsemeet::media {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

Endpoint toTcpEndpoint(const tcp::endpoint& endpoint) {
    const auto address = endpoint.address();
    Endpoint converted;
    if (address.is_v4()) {
        converted = Endpoint::v4(address.to_v4().to_bytes(), endpoint.port());
    } else if (const auto v6 = address.to_v6(); v6.is_v4_mapped()) {
        converted = Endpoint::v4(asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_bytes(),
                                 endpoint.port());
    } else {
        converted = Endpoint::v6(v6.to_bytes(), endpoint.port());
    }
    return converted.withProtocol(Endpoint::Protocol::tcp);
}

}  // namespace

TcpIceListener::TcpIceListener(asio::io_context& io, Options options, FrameHandler onFrame)
    : options_(std::move(options)), onFrame_(std::move(onFrame)), acceptor_(io) {
    hooks_.onFrame = [this](std::span<std::uint8_t> frame, const Endpoint& from) {
        ++counters_.framesReceived;
        return onFrame_(frame, from);
    };
    hooks_.onClosed = [this](TcpIceConnection& connection, TcpIceConnection::CloseReason reason) {
        onClosed(connection, reason);
    };
    boost::system::error_code error;
    const auto address = asio::ip::make_address(options_.bindAddress, error);
    if (error)
        throw std::runtime_error("media: bad bind address " + options_.bindAddress + ": " +
                                 error.message());
    const tcp::endpoint local(address, options_.port);
    acceptor_.open(local.protocol(), error);
    // A restarted server takes its port back although old connections linger in TIME_WAIT.
    if (!error) acceptor_.set_option(tcp::acceptor::reuse_address(true), error);
    if (!error) acceptor_.bind(local, error);
    if (!error) acceptor_.listen(asio::socket_base::max_listen_connections, error);
    if (error)
        throw std::runtime_error("media: cannot listen on TCP " + options_.bindAddress + ":" +
                                 std::to_string(options_.port) + ": " + error.message());
    port_ = acceptor_.local_endpoint().port();
    accept();
}

TcpIceListener::~TcpIceListener() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    auto open = std::move(connections_);
    connections_.clear();
    for (auto& [endpoint, connection] : open)
        connection->close(TcpIceConnection::CloseReason::server);
}

void TcpIceListener::accept() {
    acceptor_.async_accept([this](const boost::system::error_code& error, tcp::socket socket) {
        if (error == asio::error::operation_aborted) return;
        if (!error) {
            boost::system::error_code endpointError;
            const auto remote = socket.remote_endpoint(endpointError);
            if (endpointError) {
                // Reset before we looked: nothing to serve.
            } else if (connections_.size() >= options_.maxConnections) {
                ++counters_.refusedOverCap;
                socket.close(endpointError);
            } else {
                // Media does not wait for Nagle: every packet goes out as soon as it is written.
                socket.set_option(tcp::no_delay(true), endpointError);
                const auto from = toTcpEndpoint(remote);
                auto connection = std::make_shared<TcpIceConnection>(std::move(socket), from,
                                                                     options_.limits, hooks_);
                ++counters_.accepted;
                connections_.insert_or_assign(from, connection);
                connection->start();
            }
        }
        accept();
    });
}

bool TcpIceListener::send(std::span<const std::uint8_t> packet, const Endpoint& to) {
    const auto found = connections_.find(to);
    if (found == connections_.end() || !found->second->send(packet)) {
        ++counters_.sendDropped;
        return false;
    }
    ++counters_.framesSent;
    return true;
}

void TcpIceListener::onClosed(TcpIceConnection& connection, TcpIceConnection::CloseReason reason) {
    switch (reason) {
        case TcpIceConnection::CloseReason::noValidStun:
            ++counters_.closedNoValidStun;
            break;
        case TcpIceConnection::CloseReason::badFraming:
            ++counters_.closedBadFraming;
            break;
        case TcpIceConnection::CloseReason::idle:
            ++counters_.closedIdle;
            break;
        case TcpIceConnection::CloseReason::peer:
            ++counters_.closedByPeer;
            break;
        case TcpIceConnection::CloseReason::server:
            ++counters_.closedByServer;
            break;
    }
    const auto found = connections_.find(connection.remote());
    if (found != connections_.end() && found->second.get() == &connection)
        connections_.erase(found);
}

TcpIceCounters TcpIceListener::counters() const {
    auto counters = counters_;
    counters.connections = connections_.size();
    return counters;
}

}  // namespace pulsemeet::media
