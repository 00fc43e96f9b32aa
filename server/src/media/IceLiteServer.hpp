#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "media/Endpoint.hpp"
#include "media/StunMessage.hpp"

// The ICE-lite side of one transport (RFC 8445 §2.5): it never sends checks, it is always the
// controlled agent, and it answers the browser's STUN binding requests. No sockets and no clock
// of its own: the transport feeds it (datagram, sender, now) and sends back what it returns, and
// calls tick() from its periodic timer. Not thread-safe: one media thread owns it.
namespace pulsemeet::media {

struct IceCredentials {
    std::string ufrag;
    std::string password;
};

enum class IceState : std::uint8_t {
    waiting,       // no valid request yet
    connected,     // a valid request arrived; its tuple carries media until one is nominated
    completed,     // the controlling agent nominated a tuple (USE-CANDIDATE)
    disconnected,  // consent expired on every tuple: the transport should close
};

enum class IceVerdict : std::uint8_t {
    accepted,  // valid request: response is a success response
    rejected,  // response is an error response (400, 401 or 487)
    dropped,   // no response: not STUN, bad FINGERPRINT, or not a request
};

struct IceOutcome {
    IceVerdict verdict = IceVerdict::dropped;
    // What to send back to the sender; valid until the next call on the server.
    std::span<const std::uint8_t> response;
    bool selectedTupleChanged = false;
};

// Every datagram handled ends in exactly one of these counters.
struct IceCounters {
    std::uint64_t accepted = 0;
    std::uint64_t malformed = 0;       // not parseable as STUN
    std::uint64_t badFingerprint = 0;  // FINGERPRINT present but wrong
    std::uint64_t notRequest = 0;      // indications and responses: a lite agent sends no checks
    std::uint64_t badRequest = 0;      // answered 400
    std::uint64_t unauthorized = 0;    // answered 401
    std::uint64_t roleConflict = 0;    // answered 487
};

// The part of a STUN USERNAME before the first ':', which for a request to us is our own ufrag
// (RFC 8445 §7.2.2): how the socket layer finds the transport for a tuple it does not know yet.
std::optional<std::string_view> stunLocalUfrag(const StunMessage& message);

class IceLiteServer {
  public:
    using Clock = std::chrono::steady_clock;

    // mediasoup's IceServer keeps at most 8 tuples per transport; a browser uses 1 or 2.
    static constexpr std::size_t kMaxTuples = 8;
    // RFC 7675 §5.1: consent expires 30 s after the last successful check.
    static constexpr std::chrono::seconds kConsentTimeout{30};

    explicit IceLiteServer(IceCredentials local);

    // The peer's ice-ufrag/ice-pwd from its offer. Once set, the USERNAME's second half must be
    // the peer's ufrag; the password is only kept for a future full agent (a lite agent never
    // authenticates its own requests).
    void setRemoteCredentials(IceCredentials remote);

    IceOutcome handleStun(std::span<const std::uint8_t> datagram, const Endpoint& from,
                          Clock::time_point now);

    // Expires consent on tuples silent for kConsentTimeout. Returns true when the selected tuple
    // or the state changed.
    bool tick(Clock::time_point now);

    // ICE restart (RFC 8445 §9): new local (and remote) credentials. Until a valid request with
    // the new ones arrives the old ones are still accepted, so packets in flight and a browser
    // that has not applied the new answer yet keep the transport alive. Tuples are kept.
    void restart(IceCredentials local, std::optional<IceCredentials> remote = std::nullopt);

    IceState state() const { return state_; }
    const IceCredentials& localCredentials() const { return current_.local; }
    bool restartPending() const { return previous_.has_value(); }
    std::optional<Endpoint> selectedTuple() const;
    // Whether non-STUN packets (DTLS, SRTP) from this address belong to this transport.
    bool hasTuple(const Endpoint& endpoint) const;
    std::size_t tupleCount() const { return tuples_.size(); }
    const IceCounters& counters() const { return counters_; }

  private:
    struct Tuple {
        Endpoint endpoint;
        Clock::time_point lastValidRequest;
    };
    struct CredentialPair {
        IceCredentials local;
        std::optional<IceCredentials> remote;
    };

    IceOutcome reject(const StunMessage& request, std::uint16_t code, std::string_view reason,
                      std::optional<std::string_view> key);
    static bool usernameMatches(std::string_view username, const CredentialPair& pair);
    bool acceptTuple(const Endpoint& from, bool nominated, Clock::time_point now);

    CredentialPair current_;
    std::optional<CredentialPair> previous_;  // while an ICE restart is pending
    std::vector<Tuple> tuples_;               // at most kMaxTuples, reserved up front
    std::optional<std::size_t> selected_;     // index into tuples_
    IceState state_ = IceState::waiting;
    IceCounters counters_;
    std::array<std::uint8_t, 256> responseBuffer_{};
};

}  // namespace pulsemeet::media
