#pragma once

#include <cstdint>

// ICE over TCP (TcpIceListener): what happened to connections and frames, per media thread,
// summed by Sfu::stats. Every accepted connection ends in exactly one of the closed* counters.
namespace pulsemeet::media {

struct TcpIceCounters {
    std::uint64_t accepted = 0;           // connections taken on
    std::uint64_t refusedOverCap = 0;     // closed at once: the per-thread cap was reached
    std::uint64_t closedNoValidStun = 0;  // no binding request ICE accepted by the deadline
    std::uint64_t closedBadFraming = 0;   // a length prefix above the largest packet
    std::uint64_t closedIdle = 0;         // nothing received for the consent timeout
    std::uint64_t closedByPeer = 0;       // the client closed or reset it
    std::uint64_t closedByServer = 0;     // the media server stopped
    std::uint64_t framesReceived = 0;     // packets read off connections
    std::uint64_t framesSent = 0;         // packets queued to connections
    std::uint64_t sendDropped = 0;        // no connection for the tuple, or its queue was full
    std::uint64_t connections = 0;        // gauge: open now

    TcpIceCounters& operator+=(const TcpIceCounters& other) {
        accepted += other.accepted;
        refusedOverCap += other.refusedOverCap;
        closedNoValidStun += other.closedNoValidStun;
        closedBadFraming += other.closedBadFraming;
        closedIdle += other.closedIdle;
        closedByPeer += other.closedByPeer;
        closedByServer += other.closedByServer;
        framesReceived += other.framesReceived;
        framesSent += other.framesSent;
        sendDropped += other.sendDropped;
        connections += other.connections;
        return *this;
    }
};

}  // namespace pulsemeet::media
