#pragma once

#include <cstdint>

#include "media/ForwardingHistogram.hpp"
#include "media/TcpIceCounters.hpp"

// The media server's counters, kept per media thread (plain integers: only that thread writes
// them) and summed by Sfu::stats. Gauges say how many exist now; the rest count since start.
namespace pulsemeet::media {

// Transports that closed, by why (WebRtcTransport::CloseReason).
struct TransportCloses {
    std::uint64_t handshakeTimeout = 0;  // ICE + DTLS not done by the deadline
    std::uint64_t consentLost = 0;       // no ICE consent for 30 s
    std::uint64_t dtlsFailed = 0;        // wrong certificate, no SRTP profile, fatal alert
    std::uint64_t peerClosed = 0;        // the client sent DTLS close_notify
    std::uint64_t closedByServer = 0;    // the peer left or re-offered with a new certificate

    TransportCloses& operator+=(const TransportCloses& other) {
        handshakeTimeout += other.handshakeTimeout;
        consentLost += other.consentLost;
        dtlsFailed += other.dtlsFailed;
        peerClosed += other.peerClosed;
        closedByServer += other.closedByServer;
        return *this;
    }
};

struct SfuStats {
    std::uint64_t rtpPacketsIn = 0;   // media from publishers (RTX repairs included, decoded)
    std::uint64_t rtpBytesIn = 0;     // their plain size
    std::uint64_t rtpPacketsOut = 0;  // to subscribers, retransmissions included
    std::uint64_t rtpBytesOut = 0;
    std::uint64_t nacksReceived = 0;    // NACK packets from subscribers
    std::uint64_t nacksSent = 0;        // NACK packets to publishers
    std::uint64_t retransmissions = 0;  // packets resent to subscribers for their NACKs
    // NACKed packets not resent (not kept, older than 2 s, the publisher's copy gone); a NACK
    // repeated within one round trip is not counted.
    std::uint64_t retransmissionsMissed = 0;
    std::uint64_t plisReceived = 0;  // PLI and FIR from subscribers
    std::uint64_t plisSent = 0;      // PLI to publishers (after the 1/s throttle)
    std::uint64_t srtpFailures = 0;  // SRTP/SRTCP that did not unprotect (tampered, replayed)
    std::uint64_t testDropped = 0;   // forwarded packets dropped on purpose (testDropPercent)
    std::uint64_t unroutable = 0;    // RTP from an unknown SSRC, or a codec the subscriber lacks
    // Datagrams no transport takes: from an address no ICE check validated, and not STUN
    // naming one of our ufrags (scans, spoofed or stale senders).
    std::uint64_t droppedUnknownSender = 0;
    std::uint64_t sendFailed = 0;  // datagrams the socket refused (full buffer, unreachable)
    // Datagrams that left as segments of a message carrying several (UDP GSO, SendBatch).
    std::uint64_t sentSegmented = 0;
    // Binding requests naming one of our ufrags that ICE refused: bad MESSAGE-INTEGRITY or
    // FINGERPRINT, malformed (a guessed or stale ufrag with the wrong password).
    std::uint64_t stunRejected = 0;
    TransportCloses transportsClosed;
    TcpIceCounters tcp;                  // ICE over TCP connections and packets
    ForwardingHistogram forwarding;      // per media packet handed to at least one consumer
    std::uint64_t transports = 0;        // gauge
    std::uint64_t producers = 0;         // gauge: tracks received from publishers
    std::uint64_t forwardedStreams = 0;  // gauge: consumers, one per (subscriber, track)
    std::uint64_t rooms = 0;             // gauge: routers

    SfuStats& operator+=(const SfuStats& other);
};

inline SfuStats& SfuStats::operator+=(const SfuStats& other) {
    rtpPacketsIn += other.rtpPacketsIn;
    rtpBytesIn += other.rtpBytesIn;
    rtpPacketsOut += other.rtpPacketsOut;
    rtpBytesOut += other.rtpBytesOut;
    nacksReceived += other.nacksReceived;
    nacksSent += other.nacksSent;
    retransmissions += other.retransmissions;
    retransmissionsMissed += other.retransmissionsMissed;
    plisReceived += other.plisReceived;
    plisSent += other.plisSent;
    srtpFailures += other.srtpFailures;
    testDropped += other.testDropped;
    unroutable += other.unroutable;
    droppedUnknownSender += other.droppedUnknownSender;
    sendFailed += other.sendFailed;
    sentSegmented += other.sentSegmented;
    stunRejected += other.stunRejected;
    transportsClosed += other.transportsClosed;
    tcp += other.tcp;
    forwarding += other.forwarding;
    transports += other.transports;
    producers += other.producers;
    forwardedStreams += other.forwardedStreams;
    rooms += other.rooms;
    return *this;
}

}  // namespace pulsemeet::media
