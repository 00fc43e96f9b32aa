#include "media/RouterPeer.hpp"

#include <utility>

namespace pulsemeet::media {

namespace {

// How often each peer gets its receiver/sender reports (mediasoup: about once a second).
constexpr auto kReportInterval = std::chrono::seconds(1);
// Sender reports per compound packet: 20 x 28 bytes stays well inside one datagram.
constexpr std::size_t kReportsPerPacket = 20;
// How often each subscriber's layers are chosen again.
constexpr auto kLayerUpdateInterval = std::chrono::milliseconds(100);

}  // namespace

// The worker keeps this alive as long as the transport; the peer may go first.
class RouterPeer::TransportEvents final : public WebRtcTransportListener {
  public:
    explicit TransportEvents(RouterPeer& peer) : peer_(&peer) {}
    void detach() { peer_ = nullptr; }

    void onRtp(WebRtcTransport&, std::span<std::uint8_t> packet) override {
        if (peer_) peer_->onRtp(packet);
    }
    void onRtcp(WebRtcTransport&, std::span<std::uint8_t> packet) override {
        if (peer_) peer_->onRtcp(packet);
    }
    void onStateChanged(WebRtcTransport& transport) override {
        if (peer_) peer_->onTransportState(transport);
    }

  private:
    RouterPeer* peer_;
};

RouterPeer::RouterPeer(std::string id, std::uint32_t rtcpSsrc, std::uint64_t sessionId,
                       Listener& listener, SfuStats& stats, FanOutRound& fanOut)
    : id_(std::move(id)),
      rtcpSsrc_(rtcpSsrc),
      listener_(listener),
      stats_(stats),
      fanOut_(fanOut),
      events_(std::make_shared<TransportEvents>(*this)),
      sessionId_(sessionId) {}

RouterPeer::~RouterPeer() {
    events_->detach();
    clearConsumers();
}

std::shared_ptr<WebRtcTransportListener> RouterPeer::transportListener() const {
    return events_;
}

bool RouterPeer::connected() const {
    return connection_.transport &&
           connection_.transport->state() == WebRtcTransport::State::connected;
}

void RouterPeer::detachTransport() {
    closedSrtpFailures_ = srtpFailures();
    events_->detach();
    connection_.transport = nullptr;
}

std::uint64_t RouterPeer::srtpFailures() const {
    if (!connection_.transport) return closedSrtpFailures_;
    return closedSrtpFailures_ + connection_.transport->counters().srtpUnprotectFailed;
}

Producer* RouterPeer::producerFor(TrackSource source) const {
    for (const auto& [mid, producer] : producers_)
        if (producer->parameters().source == source) return producer.get();
    return nullptr;
}

void RouterPeer::reindex() {
    producerBySsrc_.clear();
    transportCcId_.reset();
    for (const auto& [mid, producer] : producers_) {
        for (const auto ssrc : producer->ssrcs()) producerBySsrc_[ssrc] = producer.get();
        // One transport, one numbering: every sending section names the same id (BUNDLE).
        if (!transportCcId_)
            transportCcId_ = transportCcExtensionId(producer->parameters().extmaps);
    }
    consumerBySsrc_.clear();
    for (const auto& slot : slots_)
        if (slot.consumer) consumerBySsrc_[slot.ssrc] = slot.consumer.get();
}

void RouterPeer::clearConsumers() {
    for (auto& slot : slots_) {
        if (slot.consumer) slot.nextSequenceNumber = slot.consumer->nextSequenceNumber();
        slot.consumer.reset();
    }
    consumerBySsrc_.clear();
}

Producer* RouterPeer::learnSsrc(const RtpPacket& packet) {
    for (const auto& [mid, producer] : producers_) {
        if (!producer->learnSsrc(packet)) continue;
        reindex();
        return producer.get();
    }
    return nullptr;
}

std::optional<ViewSize> RouterPeer::viewOf(const TrackKey& key) const {
    if (!views_) return std::nullopt;
    for (const auto& view : *views_)
        if (view.publisherId == key.publisherId && view.source == key.source)
            return ViewSize{view.width, view.height};
    return ViewSize{};  // not listed: not shown
}

namespace {

// The bitrate of the layer a consumer forwards now (0 before it forwards any).
std::uint64_t forwardedRate(const Consumer& consumer, Consumer::Clock::time_point now) {
    const auto layer = consumer.currentLayer();
    if (!layer) return 0;
    const auto states = consumer.producer().layerStates(now);
    return *layer < states.size() ? states[*layer].bitrate : 0;
}

}  // namespace

RouterPeer::VideoForwarded RouterPeer::videoForwarded(Clock::time_point now) const {
    VideoForwarded out;
    for (const auto& slot : slots_) {
        if (!slot.consumer || !slot.consumer->producer().isVideo()) continue;
        ++out.streams;
        out.bitsPerSecond += forwardedRate(*slot.consumer, now);
    }
    return out;
}

std::uint64_t RouterPeer::shareOf(std::uint64_t estimate, const Consumer& consumer,
                                  const VideoForwarded& forwarded, Clock::time_point now) {
    // The estimate covers everything the subscriber receives: each video gets the part of it
    // that its forwarded layer has of the video forwarded now (an equal part before any rate is
    // known).
    const auto rate = forwardedRate(consumer, now);
    if (forwarded.bitsPerSecond > 0 && rate > 0)
        return static_cast<std::uint64_t>(static_cast<double>(estimate) *
                                          static_cast<double>(rate) /
                                          static_cast<double>(forwarded.bitsPerSecond));
    return estimate / std::max<std::size_t>(forwarded.streams, 1);
}

void RouterPeer::updateLayers(Clock::time_point now) {
    // The test-only cap is split equally.
    const auto forwarded = videoForwarded(now);
    for (const auto& slot : slots_) {
        if (!slot.consumer || !slot.consumer->producer().isVideo()) continue;
        std::optional<std::uint64_t> estimate;
        if (remb_ && now - rembAt_ <= Producer::kBitrateFreshness)
            estimate = shareOf(*remb_, *slot.consumer, forwarded, now);
        std::optional<std::uint64_t> hardCap;
        if (testBandwidthCap_) hardCap = *testBandwidthCap_ / forwarded.streams;
        slot.consumer->updateLayers(viewOf(slot.key), estimate, now, hardCap);
    }
}

Consumer* RouterPeer::consumerBySsrc(std::uint32_t ssrc) const {
    const auto found = consumerBySsrc_.find(ssrc);
    return found == consumerBySsrc_.end() ? nullptr : found->second;
}

void RouterPeer::onTransportState(WebRtcTransport& transport) {
    if (transport.state() == WebRtcTransport::State::connected) {
        listener_.onPeerConnected(*this);
    } else if (transport.state() == WebRtcTransport::State::closed) {
        // The worker forgets the transport right after this call: stop using it now, and let
        // the router remove the peer from its next tick (not from inside the transport's call).
        closedReason_ = transport.closeReason();
        detachTransport();
    }
}

void RouterPeer::onRtp(std::span<std::uint8_t> bytes) {
    const auto arrived = Clock::now();  // also the forwarding histogram's start
    auto packet = RtpPacket::parse(bytes);
    if (!packet) return;
    // Every numbered packet counts for the sender's estimate, its padding probes too, whether or
    // not it is forwarded.
    if (transportCcId_)
        if (const auto number = packet->extension(*transportCcId_); number && number->size() == 2)
            transportCc_.onPacket(static_cast<std::uint16_t>((*number)[0] << 8 | (*number)[1]),
                                  arrived);
    const auto found = producerBySsrc_.find(packet->ssrc());
    Producer* known = found == producerBySsrc_.end() ? learnSsrc(*packet) : found->second;
    if (!known) {
        ++stats_.unroutable;
        return;
    }
    Producer& producer = *known;
    const auto media = producer.receive(*packet, arrived);
    // Who speaks, for the active speaker and the loudest-audio rule: read before the consumers
    // decide whether to forward it.
    if (media && !producer.isVideo()) {
        if (const auto id = producer.audioLevelExtensionId())
            if (const auto level = readAudioLevel(media->packet, *id))
                listener_.onAudioLevel(*this, *level, arrived);
    }
    if (!media || producer.consumers().empty()) return;
    fanOut_.forward(producer, *media, arrived, stats_.forwarding);
}

void RouterPeer::onRtcp(std::span<const std::uint8_t> bytes) {
    const auto compound = RtcpCompound::parse(bytes);
    if (!compound) return;
    const auto now = Clock::now();
    compound->forEach([&](const RtcpPacketView& packet) {
        if (packet.packetType() == rtcp::kSenderReport) {
            const auto report = SenderReportView::from(packet);
            if (!report) return;
            const auto found = producerBySsrc_.find(report->ssrc());
            if (found != producerBySsrc_.end())
                found->second->onSenderReport(report->ssrc(), report->senderInfo(), now);
        } else if (packet.packetType() == rtcp::kRtpFeedback &&
                   packet.countOrFormat() == rtcp::kFmtNack) {
            const auto nack = NackView::from(packet);
            if (!nack) return;
            ++stats_.nacksReceived;
            auto* consumer = consumerBySsrc(nack->mediaSsrc());
            if (!consumer) return;
            for (std::size_t i = 0; i < nack->itemCount(); ++i)
                nack->item(i).forEachLost(
                    [&](std::uint16_t sequence) { consumer->retransmit(sequence, now); });
        } else if (packet.packetType() == rtcp::kPayloadFeedback) {
            if (packet.countOrFormat() == rtcp::kFmtPli) {
                const auto pli = PliView::from(packet);
                if (!pli) return;
                ++stats_.plisReceived;
                if (auto* consumer = consumerBySsrc(pli->mediaSsrc()))
                    consumer->onReceiverKeyFrameRequest(now);
            } else if (packet.countOrFormat() == rtcp::kFmtFir) {
                const auto fir = FirView::from(packet);
                if (!fir) return;
                ++stats_.plisReceived;
                for (std::size_t i = 0; i < fir->entryCount(); ++i)
                    if (auto* consumer = consumerBySsrc(fir->entry(i).ssrc))
                        consumer->onReceiverKeyFrameRequest(now);
            } else if (packet.countOrFormat() == rtcp::kFmtAfb) {
                const auto remb = RembView::from(packet);
                if (!remb) return;
                // The estimate covers everything this subscriber receives: each video stream
                // gets the part that it has of the video forwarded now (audio is small next to
                // it). Congested: the subscriber estimates less than it is sent now (a browser's
                // estimate otherwise runs ahead of what arrives); a tenth of margin for the
                // rate's one-second windows.
                const auto forwarded = videoForwarded(now);
                if (forwarded.streams == 0) return;
                remb_ = remb->bitrate();
                rembAt_ = now;
                const bool congested = *remb_ * 10 < forwarded.bitsPerSecond * 9;
                for (const auto& slot : slots_)
                    if (slot.consumer && slot.consumer->producer().isVideo())
                        slot.consumer->setReceiverEstimate(
                            {shareOf(*remb_, *slot.consumer, forwarded, now), congested}, now);
            }
        }
    });
}

void RouterPeer::tick(Clock::time_point now, std::uint64_t ntpNow) {
    if (!connected()) return;
    for (const auto& [mid, producer] : producers_) producer->tick(now);
    sendTransportCcFeedback(now);
    if (now >= nextLayerUpdate_) {
        nextLayerUpdate_ = now + kLayerUpdateInterval;
        updateLayers(now);
    }
    if (now < nextReport_) return;
    nextReport_ = now + kReportInterval;
    sendReports(now, ntpNow);
}

void RouterPeer::sendTransportCcFeedback(Clock::time_point now) {
    if (!transportCc_.due(now)) return;
    // The media SSRC is informative only (the numbering covers the whole transport): the
    // peer's first sending stream.
    std::uint32_t mediaSsrc = 0;
    for (const auto& [mid, producer] : producers_)
        if (mediaSsrc == 0 && !producer->ssrcs().empty()) mediaSsrc = producer->ssrcs().front();
    std::array<std::uint8_t, 1200> buffer{};
    const auto size = transportCc_.write(buffer, rtcpSsrc_, mediaSsrc, now);
    if (size > 0)
        connection_.transport->sendRtcp(std::span<const std::uint8_t>(buffer).first(size));
}

void RouterPeer::sendReports(Clock::time_point now, std::uint64_t ntpNow) {
    std::array<std::uint8_t, 1200> buffer{};
    // One receiver report for what the peer sends, with the REMB cap for its video: the lowest
    // share any of its subscribers can take, per stream, summed (REMB covers the whole sender).
    std::vector<ReportBlock> blocks;
    std::vector<std::uint32_t> rembSsrcs;
    std::uint64_t rembTotal = 0;
    for (const auto& [mid, producer] : producers_) {
        for (std::size_t layer = 0; layer < producer->layerCount(); ++layer)
            if (const auto block = producer->reportBlock(layer, now); block && blocks.size() < 31)
                blocks.push_back(*block);
        if (const auto cap = producer->bitrateCap(now); cap && producer->isVideo()) {
            rembTotal += *cap;
            for (std::size_t layer = 0; layer < producer->layerCount(); ++layer)
                if (const auto ssrc = producer->layerSsrc(layer); ssrc != 0)
                    rembSsrcs.push_back(ssrc);
        }
    }
    RtcpWriter writer(buffer);
    writer.receiverReport(rtcpSsrc_, blocks);
    if (!rembSsrcs.empty()) writer.remb(rtcpSsrc_, rembTotal, rembSsrcs);
    std::size_t reports = 0;
    for (const auto& slot : slots_) {
        if (!slot.consumer || !slot.consumer->writeSenderReport(writer, now, ntpNow)) continue;
        if (++reports % kReportsPerPacket == 0) {
            if (writer.ok()) connection_.transport->sendRtcp(writer.bytes());
            writer = RtcpWriter(buffer);
            writer.receiverReport(rtcpSsrc_, {});
        }
    }
    if (writer.ok()) connection_.transport->sendRtcp(writer.bytes());
}

void RouterPeer::onProducerRtcp(Producer&, std::span<const std::uint8_t> packet) {
    if (connected()) connection_.transport->sendRtcp(packet);
}

bool RouterPeer::consumerReady(const Consumer&) const {
    return connected();
}

void RouterPeer::onConsumerRtp(Consumer&, SplitRtpPacket packet) {
    if (!connected() || !connection_.transport->sendRtp(packet)) return;
    ++stats_.rtpPacketsOut;
    stats_.rtpBytesOut += packet.size();
}

}  // namespace pulsemeet::media
