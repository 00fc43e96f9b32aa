#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "media/IceLiteServer.hpp"
#include "media/SdpOffer.hpp"
#include "media/SfuStats.hpp"
#include "media/TcpIceCounters.hpp"
#include "media/TcpIceLimits.hpp"
#include "media/WebRtcTransport.hpp"

// One media thread: its own event loop, one UDP socket (the port every one of its transports
// shares, RFC 7983), its DTLS certificate, its transports and one periodic timer driving their
// timers. Everything on the packet path runs on that thread, so nothing there takes a lock; other
// threads talk to it only by posting work (createTransport, closeTransport, stats), whose results
// come back through a callback that runs on the media thread. Asio stays in the .cpp.
namespace pulsemeet::media {

class FanOutRound;

class MediaWorker {
  public:
    using Clock = std::chrono::steady_clock;

    struct Options {
        std::string bindAddress = "0.0.0.0";
        std::uint16_t port = 0;  // 0: any free port, see port()
        // ICE over TCP (RFC 6544) on this TCP port as well, into the same transports (0: any free
        // port, see tcpPort()); nullopt: UDP only.
        std::optional<std::uint16_t> tcpPort;
        std::size_t maxTcpConnections = 1024;  // per thread; more are closed at once
        TcpIceLimits tcpLimits;
        WebRtcTransport::Options transport;
        // How often transports' timers are looked at (DTLS retransmissions start at 100 ms, the
        // consent check is once a second).
        Clock::duration tickInterval = std::chrono::milliseconds(20);
        // Runs on the media thread at every tick, after the transports' timers (what a router
        // drives: NACKs, key-frame retries, RTCP reports). Ticks run while there are transports.
        std::function<void(Clock::time_point)> onTick;
    };

    struct TransportRequest {
        IceCredentials remote;             // the offer's ice-ufrag / ice-pwd
        SdpFingerprint remoteFingerprint;  // the offer's a=fingerprint
        // Called on the media thread only; kept alive as long as the transport.
        std::shared_ptr<WebRtcTransportListener> listener;
    };

    struct TransportCreated {
        std::uint64_t id = 0;
        IceCredentials local;  // for the answer's a=ice-ufrag / a=ice-pwd
        // For the media thread only; valid until the listener hears it closed.
        WebRtcTransport* transport = nullptr;
    };

    struct Stats {
        std::uint64_t transports = 0;
        std::uint64_t datagramsReceived = 0;
        std::uint64_t droppedUnknownSender = 0;  // not STUN, or STUN naming no ufrag of ours
        std::uint64_t sendFailed = 0;            // the socket refused (full buffer, unreachable)
        std::uint64_t sentSegmented = 0;         // datagrams sent as segments of one message (GSO)
        std::uint64_t stunRejected = 0;  // STUN to a transport that ICE refused (see SfuStats)
        std::uint64_t transportsClosed = 0;
        // Whether the send batches leave from a socket of their own (UdpSendSocket) or, where
        // the kernel refused one, from the receiving socket.
        bool sendsFromOwnSocket = false;
        TransportCloses closes;  // the same, by reason
        TcpIceCounters tcp;      // ICE-TCP connections and their packets (zero without TCP)
    };

    // Binds the socket (throws std::runtime_error naming the address when it cannot) and starts
    // the thread.
    explicit MediaWorker(Options options);
    // Stops the thread; transports are dropped without notifying their listeners.
    ~MediaWorker();
    MediaWorker(const MediaWorker&) = delete;
    MediaWorker& operator=(const MediaWorker&) = delete;

    // The bound port (the chosen one when Options::port was 0).
    std::uint16_t port() const;
    // The bound ICE-TCP port; nullopt when Options::tcpPort was.
    std::optional<std::uint16_t> tcpPort() const;
    // For the answer's a=fingerprint.
    const std::string& fingerprintSha256() const;

    // Thread-safe. The transport is created on the media thread with fresh ICE credentials;
    // `done` runs there too. Its handshake deadline starts now.
    void createTransport(TransportRequest request, std::function<void(TransportCreated)> done);
    // Thread-safe. Closes it (close_notify when connected; the listener hears it) and forgets it.
    void closeTransport(std::uint64_t id);
    // Thread-safe; `done` runs on the media thread.
    void stats(std::function<void(Stats)> done);
    // Thread-safe: runs `task` on the media thread.
    void post(std::function<void()> task);

    // On the media thread only (inside post(), a listener or onTick): createTransport at once.
    TransportCreated createTransportNow(TransportRequest request);
    // On the media thread only: an ICE restart of a transport with the offer's new credentials;
    // returns the new local ones (nullopt: no such transport). The old ufrag still routes until
    // the transport is closed.
    std::optional<IceCredentials> restartIceNow(std::uint64_t id, IceCredentials remote);
    // On the media thread only: the round its UDP reads open, in which a router's peers defer a
    // video packet's fan-out (FanOutRound.hpp).
    FanOutRound& fanOutRound();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace pulsemeet::media
