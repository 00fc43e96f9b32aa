#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "MediaTestClient.hpp"
#include "media/SrtpSession.hpp"

// A browser's media connection as the load peer makes it, with the project's own pieces: the
// test DTLS client (server/tests/support/MediaTestClient.hpp), its STUN binding request, and the
// media library's SRTP session. One UDP socket per link; everything runs on the load peer's one
// thread. ICE: this side is controlling and nominates at once (USE-CANDIDATE), as against any
// ICE-lite server; binding requests go on every 2 s afterwards as consent (RFC 7675). It also
// answers the server's own binding requests, as a full agent does: Janus's libnice checks the
// pair itself even when it announces ice-lite, and only a pair its own check validated can be
// nominated and selected (before that libnice drops the DTLS records and sends nothing back).
// Its socket takes a server's segmented message (UDP GSO) whole, with UDP_GRO, as a receiver
// behind a network never makes the server cut it: on loopback the kernel would otherwise segment
// it again in the sending server's own context (docs/performance.md, "UDP segmentation"). A
// server that sends datagrams one by one (Janus) is read exactly as before.
namespace pulsemeet::bench::sfu {

class MediaLinkListener {
  public:
    virtual ~MediaLinkListener() = default;
    virtual void onLinkConnected() = 0;
    virtual void onLinkFailed(const char* why) = 0;
    // A plain RTP / RTCP packet, unprotected in place.
    virtual void onPlainRtp(std::span<std::uint8_t> packet) = 0;
    virtual void onPlainRtcp(std::span<const std::uint8_t> packet) = 0;
};

class MediaLink {
  public:
    using Clock = std::chrono::steady_clock;
    enum class State { idle, checking, handshaking, connected, failed };

    MediaLink(boost::asio::io_context& io, MediaLinkListener& listener);
    ~MediaLink();
    MediaLink(const MediaLink&) = delete;
    MediaLink& operator=(const MediaLink&) = delete;

    // This side's ICE ufrag and DTLS fingerprint, for the offer.
    const std::string& localUfrag() const { return localUfrag_; }
    const std::string& localPassword() const { return localPassword_; }
    media::SdpFingerprint fingerprint() const { return dtls_.fingerprint(); }

    // Binds the socket to `local` (port chosen by the kernel) before the offer, so that the offer
    // can carry it as a host candidate, as a browser's does (Janus checks the candidates it is
    // given); returns the port, 0 on failure.
    std::uint16_t bindLocal(const boost::asio::ip::address& local);
    // Starts ICE towards the answer's host candidate; DTLS follows the first success response.
    void start(const boost::asio::ip::udp::endpoint& server, std::string serverUfrag,
               std::string serverPassword);
    // Retransmits what is due (binding requests, a stalled DTLS flight) and fails a handshake
    // that took longer than 10 s.
    void tick(Clock::time_point now);

    void sendRtp(std::span<const std::uint8_t> plain);
    void sendRtcp(std::span<const std::uint8_t> plain);

    State state() const { return state_; }
    // The SRTP protection profile DTLS agreed on ("" before that).
    const char* srtpProfile() const { return dtls_.selectedProfile(); }
    std::uint64_t sendFailures() const { return sendFailures_; }
    std::uint64_t unprotectFailures() const { return unprotectFailures_; }
    std::uint64_t bindingRequestsAnswered() const { return bindingRequestsAnswered_; }

  private:
    void receiveNext();
    // Reads what waits on the socket: each read is one datagram, or (UDP_GRO) a run of them the
    // server sent as one segmented message, cut apart here by the segment size the kernel gives.
    void drainSocket();
    void onDatagram(std::span<std::uint8_t> datagram);
    void sendBindingRequest();
    // Answers a binding request keyed with this side's password; false when `datagram` is no
    // request (a response to this side's checks).
    bool answerBindingRequest(std::span<const std::uint8_t> datagram);
    void stepDtls();
    void sendRaw(std::span<const std::uint8_t> datagram);
    void sendProtected(std::span<const std::uint8_t> plain, bool rtcp);
    void fail(const char* why);

    MediaLinkListener& listener_;
    boost::asio::ip::udp::socket socket_;
    std::vector<std::uint8_t> receiveBuffer_ = std::vector<std::uint8_t>(65536);
    std::array<std::uint8_t, 2048> sendBuffer_{};
    std::array<std::uint8_t, 256> stunResponseBuffer_{};
    boost::asio::ip::udp::endpoint server_;
    std::string localUfrag_;
    std::string localPassword_;
    std::string serverUfrag_;
    std::string serverPassword_;
    media::mediatest::TestDtlsClient dtls_;
    std::optional<media::SrtpSession> outbound_;
    std::optional<media::SrtpSession> inbound_;
    State state_ = State::idle;
    Clock::time_point startedAt_{};
    Clock::time_point nextBinding_{};
    Clock::time_point lastDtlsFlight_{};
    std::uint8_t transactionSeed_ = 1;
    std::uint64_t sendFailures_ = 0;
    std::uint64_t unprotectFailures_ = 0;
    std::uint64_t bindingRequestsAnswered_ = 0;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace pulsemeet::bench::sfu
