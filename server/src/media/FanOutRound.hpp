#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "media/Endpoint.hpp"
#include "media/ForwardingHistogram.hpp"
#include "media/Producer.hpp"

// Forwarding one round of received packets subscriber by subscriber. A video frame's packets
// arrive back to back from one publisher and are read in one recvmmsg round; forwarded packet
// by packet, each subscriber's packets of the frame would lie a whole fan-out apart in the send
// batch (100 viewers: 100 datagrams), so a batch could only hold one of them per subscriber and
// none would leave as one segmented message. Deferred here instead, the frame is forwarded
// consumer by consumer, each subscriber's packets one after another (SendBatch in
// DatagramBatch.hpp then sends them as one message).
//
// What makes holding a packet safe: only the worker's UDP rounds defer (open() to close(), all
// inside one handler, so no timer or posted work runs in between), the packets stay in the
// round's receive buffer until close(), and what is deferred is forwarded before any datagram
// other than the next RTP packet of the same SSRC from the same sender is handled, so nothing
// that could close a transport, remove a consumer or change a producer runs while packets wait.
// Video only: audio's level is read before its consumers decide, and audio comes one packet at a
// time. One media thread; no lock.
namespace pulsemeet::media {

class FanOutRound {
  public:
    using Clock = std::chrono::steady_clock;

    // At most `capacity` packets wait; one more forwards them first.
    explicit FanOutRound(std::size_t capacity);

    // Around one round of datagrams read together; close() forwards what waits.
    void open();
    void close();

    // Before each datagram of the round: forwards what waits unless this datagram continues it
    // (RTP of the same SSRC from the same sender).
    void beforeDatagram(std::span<const std::uint8_t> datagram, const Endpoint& from);

    // A producer's packet to each of its consumers: it waits here and goes with the packets
    // after it when it may (a video packet of the datagram's own stream, inside a round), and
    // goes now otherwise (the round is closed, audio, or a packet the producer rebuilt in its
    // own buffer, such as a retransmission). `forwarding` records each packet's time to its
    // last consumer.
    void forward(Producer& producer, const ProducedPacket& packet, Clock::time_point arrived,
                 ForwardingHistogram& forwarding);

    // Forwards what waits, consumer by consumer.
    void flush();

  private:
    struct Pending {
        ProducedPacket packet;
        Clock::time_point arrived;
    };

    bool mayWait(const Producer& producer, const ProducedPacket& packet) const;
    // Every packet to each consumer in turn, then each packet's forwarding time.
    static void forwardEach(std::span<Consumer* const> consumers, std::span<const Pending> packets,
                            ForwardingHistogram& forwarding);

    std::size_t capacity_;
    bool open_ = false;
    // The datagram being handled: whether it is RTP, and its SSRC and sender.
    bool currentIsRtp_ = false;
    std::uint32_t currentSsrc_ = 0;
    Endpoint currentFrom_;
    // What waits: one stream's packets, from one sender.
    std::vector<Pending> pending_;
    Producer* producer_ = nullptr;
    ForwardingHistogram* forwarding_ = nullptr;
    std::uint32_t pendingSsrc_ = 0;
    Endpoint pendingFrom_;
};

}  // namespace pulsemeet::media
