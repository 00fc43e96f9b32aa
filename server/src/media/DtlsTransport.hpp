#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "media/SdpOffer.hpp"
#include "media/SrtpProfile.hpp"

namespace pulsemeet::media {

class DtlsContext;

// One DTLS 1.2 server connection, with no socket and no timer of its own: the owner feeds it
// the DTLS datagrams that arrived on the connection's ICE tuple, sends what takeOutgoing()
// returns, and calls handleTimeout() at nextTimeout(). All times are the owner's clock. When
// the handshake finishes, the client's certificate is checked against the offer's fingerprint
// and the SRTP keys are exported (RFC 5764 §4.2).
class DtlsTransport {
  public:
    using Clock = std::chrono::steady_clock;

    enum class State { connecting, connected, failed, closed };
    enum class Failure {
        none,
        handshakeTimeout,     // not done by the deadline: a client that never finishes
        fingerprintMismatch,  // the certificate is not the one the offer named
        noSrtpProfile,        // the client offered no SRTP profile we accept
        protocolError,        // OpenSSL gave up (fatal alert, too many retransmissions...)
    };

    struct Options {
        Clock::duration handshakeTimeout = std::chrono::seconds(10);
        int mtu = 1200;  // the largest datagram sent; fits any path with TURN overhead
        std::size_t maxQueuedDatagrams = 64;
        std::size_t maxDatagramBytes = 2048;  // larger input is refused and counted
    };

    struct Counters {
        std::uint64_t datagramsReceived = 0;
        std::uint64_t datagramsRefused = 0;  // not DTLS (RFC 7983 first byte), too large, or late
        std::uint64_t datagramsDropped = 0;  // outgoing, over maxQueuedDatagrams
    };

    // `remoteFingerprint` is the offer's a=fingerprint; `now` starts the handshake deadline.
    DtlsTransport(const DtlsContext& context, SdpFingerprint remoteFingerprint,
                  Clock::time_point now, Options options);
    DtlsTransport(const DtlsContext& context, SdpFingerprint remoteFingerprint,
                  Clock::time_point now);
    ~DtlsTransport();
    DtlsTransport(DtlsTransport&&) noexcept;
    DtlsTransport& operator=(DtlsTransport&&) noexcept;

    // One datagram from the client. Never throws; whatever it is, the cost is bounded.
    void receive(std::span<const std::uint8_t> datagram, Clock::time_point now);
    // When handleTimeout should run next (a retransmission or the handshake deadline); nullopt
    // when nothing is pending (connected, failed or closed).
    std::optional<Clock::time_point> nextTimeout(Clock::time_point now) const;
    void handleTimeout(Clock::time_point now);
    // Sends close_notify (if connected) and stops.
    void close();

    // The datagrams to send, in order; the queue is empty afterwards.
    std::vector<std::vector<std::uint8_t>> takeOutgoing();

    State state() const;
    Failure failure() const;
    const std::string& failureReason() const;
    // Set once connected: the negotiated profile and both sides' key and salt.
    const std::optional<SrtpKeyMaterial>& srtpKeys() const;
    Counters counters() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// RFC 7983 §7: a first byte in 20..63 is DTLS, and a DTLS record header is 13 bytes.
bool looksLikeDtls(std::span<const std::uint8_t> datagram);

}  // namespace pulsemeet::media
