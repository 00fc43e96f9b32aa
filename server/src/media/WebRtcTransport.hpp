#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "media/DtlsTransport.hpp"
#include "media/Endpoint.hpp"
#include "media/IceLiteServer.hpp"
#include "media/SdpOffer.hpp"
#include "media/SrtpSession.hpp"

namespace pulsemeet::obs {
class Logger;
}

// One client's connection to the media server: ICE-lite (which tuple may talk), then DTLS on the
// selected tuple (the keys), then SRTP (the media). Like its parts it has no socket, no clock
// and no lock: the media worker that owns it feeds it datagrams with (sender, now), calls tick()
// at nextTimeout(), and gives it a DatagramSink to send through. Everything runs on the owner's
// one thread.
namespace pulsemeet::media {

// Where a transport's datagrams go out (the worker's UDP socket; a vector in tests).
class DatagramSink {
  public:
    virtual ~DatagramSink() = default;
    virtual void sendTo(std::span<const std::uint8_t> datagram, const Endpoint& to) = 0;
    // Where the next datagram to `to` may be written in place, so that SRTP protects a packet
    // straight into it instead of into a buffer sendTo copies from; commitSlot then sends its
    // first `length` bytes. Nothing else is sent between the two calls; a slot not committed is
    // not sent. Empty (the default): no such place for `to` (ICE-TCP), use sendTo.
    virtual std::span<std::uint8_t> slotFor(const Endpoint& /*to*/) { return {}; }
    virtual void commitSlot(std::size_t /*length*/, const Endpoint& /*to*/) {}
};

class WebRtcTransport;

// What the transport's owner hears. Called synchronously from receive()/tick()/close(); the
// listener may call sendRtp/sendRtcp on the transport from inside, but must not destroy it.
class WebRtcTransportListener {
  public:
    virtual ~WebRtcTransportListener() = default;
    // A plain (decrypted) RTP packet, in the caller's buffer, writable so that forwarding can
    // rewrite it in place; valid only during the call.
    virtual void onRtp(WebRtcTransport& transport, std::span<std::uint8_t> packet) = 0;
    // A plain RTCP compound packet, same rules.
    virtual void onRtcp(WebRtcTransport& transport, std::span<std::uint8_t> packet) = 0;
    // Connected (SRTP ready) or closed (see closeReason()).
    virtual void onStateChanged(WebRtcTransport& transport) = 0;
};

class WebRtcTransport {
  public:
    using Clock = std::chrono::steady_clock;

    enum class State {
        waitingForIce,   // no valid binding request yet
        dtlsConnecting,  // ICE has a tuple; the DTLS handshake runs on it
        connected,       // SRTP keys in place: media flows
        closed,
    };
    enum class CloseReason {
        none,
        consentLost,       // no valid binding request on any tuple for 30 s (RFC 7675)
        handshakeTimeout,  // ICE + DTLS not done within Options::dtls.handshakeTimeout
        dtlsFailed,        // fingerprint mismatch, no SRTP profile, fatal alert, bad keys
        peerClosed,        // the client sent DTLS close_notify
        closedByOwner,
    };

    // Every datagram given to receive() ends in exactly one of the first six counters.
    struct Counters {
        std::uint64_t stunHandled = 0;              // given to ICE-lite (its own counters say more)
        std::uint64_t dtlsHandled = 0;              // given to DTLS from a validated tuple
        std::uint64_t rtpReceived = 0;              // unprotected and handed to the listener
        std::uint64_t rtcpReceived = 0;             // same, RTCP
        std::uint64_t droppedUnvalidatedTuple = 0;  // non-STUN from an address ICE did not check
        std::uint64_t droppedOther = 0;  // unknown kind, SRTP before keys, unprotect failed, closed
        std::uint64_t srtpUnprotectFailed = 0;  // part of droppedOther: tampered, replayed...
        std::uint64_t rtpSent = 0;
        std::uint64_t rtcpSent = 0;
        std::uint64_t sendDropped = 0;  // not connected, no tuple, too large or protect failed
    };

    struct Options {
        DtlsTransport::Options dtls;
        // How often ICE consent is checked (consent itself lasts IceLiteServer::kConsentTimeout).
        Clock::duration consentCheckInterval = std::chrono::seconds(1);
        // Lifecycle lines (ICE tuple selected, DTLS connected, closed), never one per packet;
        // null: none. Must outlive the transport.
        obs::Logger* logger = nullptr;
        std::uint64_t logId = 0;  // the `transport` field of those lines (the worker's id)
    };

    // The largest plain RTP/RTCP packet sendRtp/sendRtcp take (one Ethernet MTU's worth).
    static constexpr std::size_t kMaxPlainPacketSize = 1500;

    // `remote`: the offer's ice-ufrag/ice-pwd; `remoteFingerprint`: its a=fingerprint. `now`
    // starts the handshake deadline, which covers ICE and DTLS together. `context`, `sink` and
    // `listener` must outlive the transport.
    WebRtcTransport(IceCredentials local, IceCredentials remote, SdpFingerprint remoteFingerprint,
                    const DtlsContext& context, DatagramSink& sink,
                    WebRtcTransportListener& listener, Clock::time_point now, Options options);
    WebRtcTransport(IceCredentials local, IceCredentials remote, SdpFingerprint remoteFingerprint,
                    const DtlsContext& context, DatagramSink& sink,
                    WebRtcTransportListener& listener, Clock::time_point now);
    WebRtcTransport(const WebRtcTransport&) = delete;
    WebRtcTransport& operator=(const WebRtcTransport&) = delete;

    // One datagram that arrived from `from`. SRTP/SRTCP is decrypted in place in `datagram`.
    // Never throws; whatever arrives, it is handled or dropped and counted.
    void receive(std::span<std::uint8_t> datagram, const Endpoint& from, Clock::time_point now);

    // Protects a plain packet and sends it to the selected tuple; false (and counted) when it
    // could not be sent. The packet itself is not modified.
    bool sendRtp(std::span<const std::uint8_t> packet);
    // A forwarded packet: protected from its two pieces straight into the datagram.
    bool sendRtp(SplitRtpPacket packet);
    bool sendRtcp(std::span<const std::uint8_t> packet);

    // When tick() should run next: a DTLS retransmission or deadline, or the next consent check.
    // nullopt once closed. `now` is needed because OpenSSL keeps the retransmission timer on its
    // own clock and only says how long is left.
    std::optional<Clock::time_point> nextTimeout(Clock::time_point now) const;
    void tick(Clock::time_point now);

    // Sends DTLS close_notify if connected; afterwards everything received is dropped.
    void close(CloseReason reason = CloseReason::closedByOwner);
    // ICE restart (the client re-offered with a new ufrag): new credentials on both sides; DTLS
    // and SRTP carry on (IceLiteServer::restart keeps the old ones valid until the new ones work).
    void restartIce(IceCredentials local, IceCredentials remote);

    State state() const { return state_; }
    CloseReason closeReason() const { return closeReason_; }
    const IceLiteServer& ice() const { return ice_; }
    const DtlsTransport& dtls() const { return dtls_; }
    const Counters& counters() const { return counters_; }
    std::string_view localUfrag() const { return ice_.localCredentials().ufrag; }

  private:
    void handleStun(std::span<const std::uint8_t> datagram, const Endpoint& from,
                    Clock::time_point now);
    void handleDtls(std::span<const std::uint8_t> datagram, Clock::time_point now);
    void handleSrtp(std::span<std::uint8_t> datagram, bool rtcp);
    // Sends what DTLS queued, then moves the state on if the handshake finished or failed.
    void afterDtls();
    bool send(SplitRtpPacket packet, bool rtcp);
    void setState(State state);

    IceLiteServer ice_;
    DtlsTransport dtls_;
    std::optional<SrtpSession> srtpIn_;
    std::optional<SrtpSession> srtpOut_;
    DatagramSink& sink_;
    WebRtcTransportListener& listener_;
    Options options_;
    State state_ = State::waitingForIce;
    CloseReason closeReason_ = CloseReason::none;
    Clock::time_point nextConsentCheck_;
    Counters counters_;
    // Where a packet is protected when the sink has no slot for it.
    std::array<std::uint8_t, kMaxPlainPacketSize + SrtpSession::kMaxProtectOverhead> sendBuffer_{};
};

std::string_view toString(WebRtcTransport::CloseReason reason);

}  // namespace pulsemeet::media
