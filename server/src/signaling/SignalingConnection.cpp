#include "signaling/SignalingConnection.hpp"

#include "wire/ServerMessages.hpp"

namespace pulsemeet::signaling {

SignalingConnection::SignalingConnection(Hub& hub, SignalingMetrics& metrics, std::string peerId,
                                         double messagesPerSecond)
    : hub_(hub),
      metrics_(metrics),
      peerId_(std::move(peerId)),
      limiter_(messagesPerSecond, 2 * messagesPerSecond) {}

void SignalingConnection::open(std::shared_ptr<PeerLink> link, Admission admission) {
    link_ = link.get();
    hub_.attach(peerId_, std::move(link), std::move(admission));
}

bool SignalingConnection::admit(Clock::time_point now) {
    if (limited_) return false;  // closing already; later frames are read only to drain
    if (limiter_.tryTake(now)) return true;
    limited_ = true;
    replyError(wire::ErrorCode::rateLimited, "too many messages: slow down");
    link_->close(wire::CloseCode::policyViolation, "rate-limited");
    return false;
}

void SignalingConnection::onText(std::string_view text, Clock::time_point readAt) {
    if (!admit(readAt)) return;
    auto decoded = decodeClientMessage(text);
    if (auto* error = std::get_if<wire::SignalError>(&decoded)) {
        replyError(error->code, std::move(error->text));
        return;
    }
    const auto& message = std::get<ClientMessage>(decoded);
    metrics_.messagesIn(message.type).inc();
    if (message.type == wire::MessageType::ping) {
        if (message.received) hub_.acknowledge(peerId_, *message.received);
        hub_.reply(peerId_, wire::MessageType::pong, wire::share(wire::encodePong()));
        return;
    }
    hub_.handle(peerId_, message, readAt);
}

void SignalingConnection::onBinary(Clock::time_point readAt) {
    if (!admit(readAt)) return;
    replyError(wire::ErrorCode::badMessage,
               "binary frames are not part of the protocol: send text JSON");
}

void SignalingConnection::onTooLarge(std::size_t limit) {
    replyError(wire::ErrorCode::messageTooLarge,
               "message exceeds " + std::to_string(limit) + " bytes");
}

void SignalingConnection::onClosed(Departure departure) {
    hub_.detach(peerId_, departure);
}

void SignalingConnection::replyError(wire::ErrorCode code, std::string text) {
    metrics_.errors(code).inc();
    hub_.reply(peerId_, wire::MessageType::error,
               wire::share(wire::encodeError({code, std::move(text)})));
}

}  // namespace pulsemeet::signaling
