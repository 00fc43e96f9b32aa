#include "media/TcpIceConnection.hpp"

#include <boost/asio/write.hpp>
#include <utility>

namespace pulsemeet::media {

namespace asio = boost::asio;

TcpIceConnection::TcpIceConnection(asio::ip::tcp::socket socket, const Endpoint& remote,
                                   const TcpIceLimits& limits, Hooks& hooks)
    : socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      remote_(remote),
      limits_(limits),
      hooks_(hooks),
      reader_(limits.maxFrameSize),
      lastFrame_(Clock::now()) {}

void TcpIceConnection::start() {
    armTimer(Clock::now() + limits_.stunDeadline);
    read();
}

void TcpIceConnection::read() {
    const auto space = reader_.writable();
    socket_.async_read_some(
        asio::buffer(space.data(), space.size()),
        [self = shared_from_this()](const boost::system::error_code& error, std::size_t size) {
            if (self->closed_) return;
            if (error) {
                self->close(CloseReason::peer);
                return;
            }
            self->onRead(size);
        });
}

void TcpIceConnection::onRead(std::size_t size) {
    const auto status = reader_.commit(size, [this](std::span<std::uint8_t> frame) {
        if (closed_) return;
        lastFrame_ = Clock::now();
        if (hooks_.onFrame(frame, remote_)) {
            validated_ = true;
        } else if (!validated_ && ++framesBeforeValid_ >= limits_.maxFramesBeforeValidStun) {
            close(CloseReason::noValidStun);
        }
    });
    if (closed_) return;
    if (status != Rfc4571Reader::Status::ok) {
        close(CloseReason::badFraming);
        return;
    }
    read();
}

bool TcpIceConnection::send(std::span<const std::uint8_t> packet) {
    const auto framedSize = packet.size() + Rfc4571Reader::kPrefixSize;
    if (closed_ || queuedBytes_ + framedSize > limits_.writeQueueBytes) return false;
    std::vector<std::uint8_t> framed;
    framed.reserve(framedSize);
    if (!Rfc4571Reader::appendFrame(framed, packet)) return false;
    queue_.push_back(std::move(framed));
    queuedBytes_ += framedSize;
    if (!writing_) writeNext();
    return true;
}

void TcpIceConnection::writeNext() {
    if (queue_.empty() || closed_) {
        writing_ = false;
        return;
    }
    writing_ = true;
    asio::async_write(
        socket_, asio::buffer(queue_.front()),
        [self = shared_from_this()](const boost::system::error_code& error, std::size_t) {
            if (self->closed_) return;
            if (error) {
                self->close(CloseReason::peer);
                return;
            }
            self->queuedBytes_ -= self->queue_.front().size();
            self->queue_.pop_front();
            self->writeNext();
        });
}

void TcpIceConnection::armTimer(Clock::time_point at) {
    timer_.expires_at(at);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
        if (error || self->closed_) return;
        self->onTimer();
    });
}

void TcpIceConnection::onTimer() {
    if (!validated_) {
        close(CloseReason::noValidStun);
        return;
    }
    const auto idleSince = lastFrame_ + limits_.idleTimeout;
    if (Clock::now() >= idleSince) {
        close(CloseReason::idle);
        return;
    }
    armTimer(idleSince);
}

void TcpIceConnection::close(CloseReason reason) {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    timer_.cancel();
    queue_.clear();
    queuedBytes_ = 0;
    if (hooks_.onClosed) hooks_.onClosed(*this, reason);
}

}  // namespace pulsemeet::media
