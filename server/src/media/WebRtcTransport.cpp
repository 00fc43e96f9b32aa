#include "media/WebRtcTransport.hpp"

#include <algorithm>
#include <utility>

#include "media/PacketClassifier.hpp"
#include "obs/Logger.hpp"

namespace pulsemeet::media {

WebRtcTransport::WebRtcTransport(IceCredentials local, IceCredentials remote,
                                 SdpFingerprint remoteFingerprint, const DtlsContext& context,
                                 DatagramSink& sink, WebRtcTransportListener& listener,
                                 Clock::time_point now, Options options)
    : ice_(std::move(local)),
      dtls_(context, std::move(remoteFingerprint), now, options.dtls),
      sink_(sink),
      listener_(listener),
      options_(options),
      nextConsentCheck_(now + options.consentCheckInterval) {
    ice_.setRemoteCredentials(std::move(remote));
}

WebRtcTransport::WebRtcTransport(IceCredentials local, IceCredentials remote,
                                 SdpFingerprint remoteFingerprint, const DtlsContext& context,
                                 DatagramSink& sink, WebRtcTransportListener& listener,
                                 Clock::time_point now)
    : WebRtcTransport(std::move(local), std::move(remote), std::move(remoteFingerprint), context,
                      sink, listener, now, Options{}) {}

void WebRtcTransport::receive(std::span<std::uint8_t> datagram, const Endpoint& from,
                              Clock::time_point now) {
    if (state_ == State::closed) {
        ++counters_.droppedOther;
        return;
    }
    const PacketKind kind = classifyPacket(datagram);
    if (kind == PacketKind::stun) {
        handleStun(datagram, from, now);
        return;
    }
    if (kind == PacketKind::unknown) {
        ++counters_.droppedOther;
        return;
    }
    // Only STUN may open a tuple: DTLS and SRTP from an address ICE has not checked would let
    // anyone who learns the port start handshakes or inject media.
    if (!ice_.hasTuple(from)) {
        ++counters_.droppedUnvalidatedTuple;
        return;
    }
    switch (kind) {
        case PacketKind::dtls:
            handleDtls(datagram, now);
            return;
        case PacketKind::rtp:
            handleSrtp(datagram, false);
            return;
        case PacketKind::rtcp:
            handleSrtp(datagram, true);
            return;
        case PacketKind::stun:
        case PacketKind::unknown:
            break;
    }
}

void WebRtcTransport::handleStun(std::span<const std::uint8_t> datagram, const Endpoint& from,
                                 Clock::time_point now) {
    ++counters_.stunHandled;
    const IceOutcome outcome = ice_.handleStun(datagram, from, now);
    if (!outcome.response.empty()) sink_.sendTo(outcome.response, from);
    if (outcome.selectedTupleChanged && options_.logger) {
        if (const auto selected = ice_.selectedTuple())
            options_.logger->info("media transport ICE tuple selected",
                                  {{"transport", options_.logId}, {"tuple", toString(*selected)}});
    }
    if (outcome.verdict == IceVerdict::accepted && state_ == State::waitingForIce)
        setState(State::dtlsConnecting);
}

void WebRtcTransport::handleDtls(std::span<const std::uint8_t> datagram, Clock::time_point now) {
    ++counters_.dtlsHandled;
    dtls_.receive(datagram, now);
    afterDtls();
}

void WebRtcTransport::handleSrtp(std::span<std::uint8_t> datagram, bool rtcp) {
    if (!srtpIn_) {
        ++counters_.droppedOther;
        return;
    }
    const SrtpResult result =
        rtcp ? srtpIn_->unprotectRtcp(datagram) : srtpIn_->unprotectRtp(datagram);
    if (result.status != SrtpStatus::ok) {
        ++counters_.droppedOther;
        ++counters_.srtpUnprotectFailed;
        return;
    }
    const auto plain = datagram.first(result.length);
    if (rtcp) {
        ++counters_.rtcpReceived;
        listener_.onRtcp(*this, plain);
    } else {
        ++counters_.rtpReceived;
        listener_.onRtp(*this, plain);
    }
}

void WebRtcTransport::afterDtls() {
    const auto to = ice_.selectedTuple();
    for (const auto& datagram : dtls_.takeOutgoing()) {
        // The DTLS server only speaks after a ClientHello, which only a validated tuple can
        // deliver, so a selected tuple exists unless consent was lost meanwhile.
        if (to) sink_.sendTo(datagram, *to);
    }
    if (state_ == State::closed) return;
    switch (dtls_.state()) {
        case DtlsTransport::State::connected:
            if (state_ != State::connected) {
                const auto& keys = dtls_.srtpKeys();
                if (keys) {
                    srtpIn_ = SrtpSession::create(keys->profile, keys->remoteKeySalt,
                                                  SrtpSession::Direction::inbound);
                    srtpOut_ = SrtpSession::create(keys->profile, keys->localKeySalt,
                                                   SrtpSession::Direction::outbound);
                }
                if (srtpIn_ && srtpOut_) {
                    setState(State::connected);
                } else {
                    close(CloseReason::dtlsFailed);
                }
            }
            return;
        case DtlsTransport::State::failed:
            close(dtls_.failure() == DtlsTransport::Failure::handshakeTimeout
                      ? CloseReason::handshakeTimeout
                      : CloseReason::dtlsFailed);
            return;
        case DtlsTransport::State::closed:
            // The client sent close_notify: it hung up.
            close(CloseReason::peerClosed);
            return;
        case DtlsTransport::State::connecting:
            return;
    }
}

bool WebRtcTransport::sendRtp(std::span<const std::uint8_t> packet) {
    return send({packet, {}}, false);
}

bool WebRtcTransport::sendRtp(SplitRtpPacket packet) {
    return send(packet, false);
}

bool WebRtcTransport::sendRtcp(std::span<const std::uint8_t> packet) {
    return send({packet, {}}, true);
}

// RTCP comes in one piece (the front).
bool WebRtcTransport::send(SplitRtpPacket packet, bool rtcp) {
    const auto to = ice_.selectedTuple();
    if (state_ != State::connected || !srtpOut_ || !to || packet.size() > kMaxPlainPacketSize) {
        ++counters_.sendDropped;
        return false;
    }
    // Protected from the caller's pieces straight into the datagram that goes out when the sink
    // has a slot for it (the UDP batch), into sendBuffer_ otherwise.
    const auto slot = sink_.slotFor(*to);
    const bool inSlot = slot.size() >= packet.size() + SrtpSession::kMaxProtectOverhead;
    const auto out = inSlot ? slot : std::span<std::uint8_t>(sendBuffer_);
    const SrtpResult result =
        rtcp ? srtpOut_->protectRtcp(packet.front, out) : srtpOut_->protectRtp(packet, out);
    if (result.status != SrtpStatus::ok) {
        ++counters_.sendDropped;
        return false;
    }
    if (inSlot) {
        sink_.commitSlot(result.length, *to);
    } else {
        sink_.sendTo(out.first(result.length), *to);
    }
    ++(rtcp ? counters_.rtcpSent : counters_.rtpSent);
    return true;
}

std::optional<WebRtcTransport::Clock::time_point> WebRtcTransport::nextTimeout(
    Clock::time_point now) const {
    if (state_ == State::closed) return std::nullopt;
    auto next = nextConsentCheck_;
    // Once connected, DTLS has no timer left (DtlsTransport times only its handshake); the
    // worker asks every transport on every tick, and this spares it a visit to DTLS's state.
    if (state_ == State::connected) return next;
    if (const auto dtls = dtls_.nextTimeout(now)) next = std::min(next, *dtls);
    return next;
}

void WebRtcTransport::tick(Clock::time_point now) {
    if (state_ == State::closed) return;
    if (now >= nextConsentCheck_) {
        nextConsentCheck_ = now + options_.consentCheckInterval;
        ice_.tick(now);
        if (ice_.state() == IceState::disconnected) {
            close(CloseReason::consentLost);
            return;
        }
    }
    if (const auto dtls = dtls_.nextTimeout(now); dtls && *dtls <= now) {
        dtls_.handleTimeout(now);
        afterDtls();
    }
}

void WebRtcTransport::close(CloseReason reason) {
    if (state_ == State::closed) return;
    closeReason_ = reason;
    state_ = State::closed;
    dtls_.close();
    // close_notify, when DTLS was connected; the selected tuple may be gone (consent lost).
    if (const auto to = ice_.selectedTuple()) {
        for (const auto& datagram : dtls_.takeOutgoing()) sink_.sendTo(datagram, *to);
    } else {
        dtls_.takeOutgoing();
    }
    srtpIn_.reset();
    srtpOut_.reset();
    if (options_.logger) {
        const auto level =
            reason == CloseReason::dtlsFailed ? obs::LogLevel::warn : obs::LogLevel::info;
        if (options_.logger->enabled(level))
            options_.logger->log(level, "media transport closed",
                                 {{"transport", options_.logId},
                                  {"reason", toString(reason)},
                                  {"detail", dtls_.failureReason()}});
    }
    listener_.onStateChanged(*this);
}

void WebRtcTransport::restartIce(IceCredentials local, IceCredentials remote) {
    ice_.restart(std::move(local), std::move(remote));
}

void WebRtcTransport::setState(State state) {
    if (state_ == state) return;
    state_ = state;
    if (state != State::connected) return;
    if (options_.logger && dtls_.srtpKeys())
        options_.logger->info(
            "media transport DTLS connected",
            {{"transport", options_.logId}, {"srtpProfile", toString(dtls_.srtpKeys()->profile)}});
    listener_.onStateChanged(*this);
}

std::string_view toString(WebRtcTransport::CloseReason reason) {
    switch (reason) {
        case WebRtcTransport::CloseReason::none:
            return "none";
        case WebRtcTransport::CloseReason::consentLost:
            return "consent-lost";
        case WebRtcTransport::CloseReason::handshakeTimeout:
            return "handshake-timeout";
        case WebRtcTransport::CloseReason::dtlsFailed:
            return "dtls-failed";
        case WebRtcTransport::CloseReason::peerClosed:
            return "peer-closed";
        case WebRtcTransport::CloseReason::closedByOwner:
            return "closed";
    }
    return "none";
}

}  // namespace pulsemeet::media
