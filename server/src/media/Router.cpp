#include "media/Router.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "media/RtpMapping.hpp"
#include "media/SdpAnswer.hpp"
#include "media/SdpOffer.hpp"
#include "obs/Logger.hpp"

namespace pulsemeet::media {

namespace {

constexpr std::array kSources = {TrackSource::microphone, TrackSource::camera, TrackSource::screen};

bool sameFingerprint(const SdpFingerprint& a, const SdpFingerprint& b) {
    return a.algorithm == b.algorithm &&
           std::equal(a.value.begin(), a.value.end(), b.value.begin(), b.value.end(),
                      [](char x, char y) { return (x | 0x20) == (y | 0x20); });
}

// A sending section's SSRC and its RTX SSRC (a=ssrc-group:FID; 0: none), as the offer declares.
struct OfferedSsrcs {
    std::uint32_t media = 0;
    std::uint32_t rtx = 0;
};

std::optional<OfferedSsrcs> offeredSsrcs(const SdpMediaSection& section) {
    if (!section.fidGroups.empty())
        return OfferedSsrcs{section.fidGroups.front().first, section.fidGroups.front().second};
    if (!section.ssrcs.empty()) return OfferedSsrcs{section.ssrcs.front().ssrc, 0};
    return std::nullopt;
}

// Now as a 64-bit NTP timestamp (RFC 3550 §4), for sender reports.
std::uint64_t ntpNow() {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    constexpr std::uint64_t kUnixToNtpSeconds = 2208988800ULL;
    const auto seconds = static_cast<std::uint64_t>(us / 1000000) + kUnixToNtpSeconds;
    const auto fraction = (static_cast<std::uint64_t>(us % 1000000) << 32) / 1000000;
    return seconds << 32 | fraction;
}

}  // namespace

Router::Router(std::string roomId, MediaWorker& worker, SfuListener& listener, SfuStats& stats,
               Options options)
    : roomId_(std::move(roomId)),
      worker_(worker),
      listener_(listener),
      stats_(stats),
      options_(std::move(options)),
      random_(std::random_device{}()),
      forwarding_(RoomForwarding::Options{options_.videoLastN, {}}) {
    ++stats_.rooms;
}

Router::~Router() {
    // Consumers first: each unregisters from a producer another peer owns.
    for (auto& peer : peers_) peer->clearConsumers();
    for (auto& peer : peers_) stats_.srtpFailures += peer->srtpFailures();
    --stats_.rooms;
}

std::uint32_t Router::randomSsrc() {
    std::uint32_t ssrc = 0;
    while (ssrc == 0) ssrc = random_();
    return ssrc;
}

RouterPeer* Router::find(const std::string& peerId) const {
    const auto found = std::find_if(peers_.begin(), peers_.end(),
                                    [&](const auto& peer) { return peer->id() == peerId; });
    return found == peers_.end() ? nullptr : found->get();
}

std::variant<SfuAnswer, SdpError> Router::offer(const std::string& peerId, const std::string& sdp) {
    const auto now = Clock::now();
    removeClosedPeers();  // a peer whose transport died re-offers on a fresh one
    auto parsed = parseSdpOffer(sdp);
    if (auto* error = std::get_if<SdpError>(&parsed)) return std::move(*error);
    const auto& offer = std::get<SdpOffer>(parsed);

    // A draft answer checks that the offer can be answered and names the client's ICE
    // credentials and certificate before anything changes.
    SdpAnswerParameters parameters;
    parameters.iceUfrag = "draft";
    parameters.icePwd = "draft";
    parameters.fingerprintSha256 = worker_.fingerprintSha256();
    parameters.candidateAddress = options_.announcedAddress;
    parameters.candidatePort = worker_.port();
    parameters.tcpCandidatePort = worker_.tcpPort();
    // Publishers get transport-wide feedback for their send-side estimate (RouterPeer).
    parameters.transportCc = true;
    auto drafted = buildSdpAnswer(offer, parameters);
    if (auto* error = std::get_if<SdpError>(&drafted)) return std::move(*error);
    const auto& draft = std::get<SdpAnswer>(drafted);

    RouterPeer* peer = find(peerId);
    // Another certificate is another RTCPeerConnection: start afresh.
    if (peer && !sameFingerprint(peer->connection().remoteFingerprint, draft.remoteFingerprint)) {
        erasePeer(peerId, true);
        peer = nullptr;
    }
    if (!peer) {
        peer = &createPeer(peerId, draft);
    } else if (peer->connection().remoteUfrag != draft.remoteIceUfrag) {
        auto& connection = peer->connection();
        if (auto local = worker_.restartIceNow(connection.transportId,
                                               {draft.remoteIceUfrag, draft.remoteIcePwd})) {
            connection.local = std::move(*local);
            connection.remoteUfrag = draft.remoteIceUfrag;
        }
    }
    updateProducers(*peer, offer, draft);
    updateSlots(*peer, offer, draft);

    parameters.iceUfrag = peer->connection().local.ufrag;
    parameters.icePwd = peer->connection().local.password;
    parameters.sessionId = peer->sessionId();
    parameters.sessionVersion = ++peer->sessionVersion();
    SfuAnswer result;
    for (const auto& slot : peer->slots()) {
        SdpForwardedTrack track;
        track.streamId = slot.key.publisherId;
        track.trackId = slot.key.publisherId + "-" + std::string(toString(slot.key.source));
        track.ssrc = slot.ssrc;
        if (slot.key.source != TrackSource::microphone) track.rtxSsrc = slot.rtxSsrc;
        track.cname = slot.key.publisherId;
        parameters.forwardedTracks.emplace_back(slot.mid, std::move(track));
        result.tracks.push_back({slot.mid, slot.key.publisherId, slot.key.source});
    }
    auto answered = buildSdpAnswer(offer, parameters);
    if (auto* error = std::get_if<SdpError>(&answered)) return std::move(*error);
    auto& answer = std::get<SdpAnswer>(answered);
    for (auto& slot : peer->slots()) {
        const auto section =
            std::find_if(answer.sections.begin(), answer.sections.end(),
                         [&](const SdpNegotiatedSection& s) { return s.mid == slot.mid; });
        if (section == answer.sections.end()) continue;
        // The subscriber renumbered its codecs or extensions: the consumer is rebuilt.
        if (slot.section && !sameNegotiation(slot.section->codecs, slot.section->extmaps,
                                             section->codecs, section->extmaps)) {
            if (slot.consumer) slot.nextSequenceNumber = slot.consumer->nextSequenceNumber();
            slot.consumer.reset();
        }
        slot.section = *section;
    }
    reconcileConsumers(now);
    applyForwarding(now);
    result.sdp = std::move(answer.sdp);
    return result;
}

RouterPeer& Router::createPeer(const std::string& peerId, const SdpAnswer& draft) {
    const std::uint64_t sessionId = (std::uint64_t{random_()} << 31) ^ random_();
    auto peer = std::make_unique<RouterPeer>(peerId, randomSsrc(), sessionId, *this, stats_,
                                             worker_.fanOutRound());
    ++peersCreated_;
    if (options_.testBandwidthCap && options_.testBandwidthCap->peerIndex == peersCreated_) {
        peer->setTestBandwidthCap(options_.testBandwidthCap->bitsPerSecond);
        if (options_.logger)
            options_.logger->warn("test bandwidth cap applied",
                                  {{"room", roomId_},
                                   {"peer", peerId},
                                   {"bitsPerSecond", options_.testBandwidthCap->bitsPerSecond}});
    }
    MediaWorker::TransportRequest request;
    request.remote = {draft.remoteIceUfrag, draft.remoteIcePwd};
    request.remoteFingerprint = draft.remoteFingerprint;
    request.listener = peer->transportListener();
    auto created = worker_.createTransportNow(std::move(request));
    if (options_.logger)
        options_.logger->info("media transport created",
                              {{"transport", created.id}, {"room", roomId_}, {"peer", peerId}});
    auto& connection = peer->connection();
    connection.transportId = created.id;
    connection.transport = created.transport;
    connection.local = std::move(created.local);
    connection.remoteUfrag = draft.remoteIceUfrag;
    connection.remoteFingerprint = draft.remoteFingerprint;
    peers_.push_back(std::move(peer));
    forwarding_.addPeer(peerId);
    return *peers_.back();
}

void Router::updateProducers(RouterPeer& peer, const SdpOffer& offer, const SdpAnswer& draft) {
    std::vector<OfferedSection> sending;
    for (const auto& section : draft.sections) {
        if (section.accepted && section.direction == SdpDirection::recvonly)
            sending.push_back({section.mid, section.kind});
    }
    auto sources = assignSources(sending, peer.sources());
    const auto offered = [&](const std::string& mid) -> const SdpMediaSection* {
        for (const auto& m : offer.media)
            if (m.mid == mid) return &m;
        return nullptr;
    };
    const auto negotiated = [&](const std::string& mid) -> const SdpNegotiatedSection* {
        for (const auto& s : draft.sections)
            if (s.mid == mid) return &s;
        return nullptr;
    };
    auto& producers = peer.producers();
    for (auto it = producers.begin(); it != producers.end();) {
        const auto source = sources.find(it->first);
        const auto* section = offered(it->first);
        const auto ssrcs = section ? offeredSsrcs(*section) : std::nullopt;
        const auto* answered = negotiated(it->first);
        const auto& rids = it->second->parameters().rids;
        const bool sameStreams =
            rids.empty() ? ssrcs && ssrcs->media == it->second->ssrc() &&
                               ssrcs->rtx == it->second->parameters().rtxSsrc.value_or(0)
                         : answered && answered->receiveRids == rids;
        const bool keep = source != sources.end() &&
                          source->second == it->second->parameters().source && sameStreams;
        if (keep) {
            it->second->renegotiate(answered->codecs, answered->extmaps);
            ++it;
        } else {
            dropConsumersOf(*it->second);
            it = producers.erase(it);
        }
    }
    for (const auto& [mid, source] : sources) {
        if (producers.contains(mid)) continue;
        const auto ssrcs = offeredSsrcs(*offered(mid));
        const auto* answered = negotiated(mid);
        // Simulcast: one stream per RID, their SSRCs learnt from the packets.
        const bool simulcast = answered->kind == "video" && answered->receiveRids.size() > 1;
        if (!ssrcs && !simulcast) continue;  // no SSRC to forward from
        Producer::Parameters parameters;
        parameters.mid = mid;
        parameters.kind = answered->kind;
        parameters.source = source;
        if (simulcast) {
            parameters.rids = answered->receiveRids;
        } else {
            parameters.ssrc = ssrcs->media;
            if (ssrcs->rtx != 0) parameters.rtxSsrc = ssrcs->rtx;
        }
        parameters.codecs = answered->codecs;
        parameters.extmaps = answered->extmaps;
        parameters.rtcpSenderSsrc = randomSsrc();
        producers.emplace(mid, std::make_unique<Producer>(std::move(parameters), peer, stats_));
    }
    peer.sources() = std::move(sources);
    peer.reindex();
}

void Router::updateSlots(RouterPeer& peer, const SdpOffer& offer, const SdpAnswer& draft) {
    std::vector<OfferedSection> receiving;
    for (std::size_t i = 0; i < offer.media.size(); ++i) {
        if (draft.sections[i].accepted && offer.media[i].direction == SdpDirection::recvonly)
            receiving.push_back({draft.sections[i].mid, draft.sections[i].kind});
    }
    auto& slots = peer.slots();
    std::vector<std::pair<std::string, TrackKey>> previous;
    for (const auto& slot : slots) previous.emplace_back(slot.mid, slot.key);
    const auto mapping = mapReceiveSections(receiving, previous, availableFor(peer.id()));
    std::vector<RouterPeer::ReceiveSlot> next;
    for (const auto& [mid, key] : mapping) {
        // A track whose stream started over (its publisher's new connection) gets a fresh SSRC,
        // which this answer declares: the subscriber's decoder starts afresh with it.
        const auto kept = std::find_if(slots.begin(), slots.end(), [&](const auto& slot) {
            return slot.mid == mid && slot.key == key && streamContinues(slot);
        });
        if (kept != slots.end()) {
            next.push_back(std::move(*kept));
            continue;
        }
        RouterPeer::ReceiveSlot slot;
        slot.mid = mid;
        slot.key = key;
        slot.ssrc = randomSsrc();
        slot.rtxSsrc = randomSsrc();
        slot.nextSequenceNumber = static_cast<std::uint16_t>(random_());
        next.push_back(std::move(slot));
    }
    slots = std::move(next);  // the consumers of sections no longer mapped go here
    peer.reindex();
}

Producer* Router::producerFor(const TrackKey& key) const {
    const auto* publisher = find(key.publisherId);
    return publisher ? publisher->producerFor(key.source) : nullptr;
}

std::optional<RouterPeer::StreamOrigin> Router::originOf(const TrackKey& key) const {
    auto* publisher = find(key.publisherId);
    const auto* producer = publisher ? publisher->producerFor(key.source) : nullptr;
    if (!producer) return std::nullopt;
    return RouterPeer::StreamOrigin{publisher->connection().transportId, producer->ssrc()};
}

bool Router::streamContinues(const RouterPeer::ReceiveSlot& slot) const {
    const auto origin = originOf(slot.key);
    return !slot.origin || !origin || *slot.origin == *origin;
}

void Router::reconcileConsumers(Clock::time_point now) {
    for (auto& peer : peers_) {
        bool changed = false;
        // Slots whose track's stream started over (the publisher's new connection answered
        // before this subscriber re-offered) stop here: the subscriber hears its tracks again,
        // re-offers, and gets the track on a fresh SSRC (updateSlots).
        auto& slots = peer->slots();
        const auto before = slots.size();
        std::erase_if(slots, [&](const auto& slot) { return !streamContinues(slot); });
        if (slots.size() != before) {
            peer->announced().clear();  // announceTracks tells it again, though the set is the same
            changed = true;
        }
        for (auto& slot : peer->slots()) {
            Producer* producer = producerFor(slot.key);
            if (slot.consumer && (&slot.consumer->producer() != producer ||
                                  slot.producerGeneration != producer->generation())) {
                slot.nextSequenceNumber = slot.consumer->nextSequenceNumber();
                slot.consumer.reset();
                changed = true;
            }
            if (slot.consumer || !producer || !slot.section) continue;
            const auto& section = *slot.section;
            Consumer::Parameters parameters;
            parameters.mid = slot.mid;
            parameters.ssrc = slot.ssrc;
            if (std::any_of(section.codecs.begin(), section.codecs.end(), isRtxCodec))
                parameters.rtxSsrc = slot.rtxSsrc;
            parameters.payloadTypes =
                mapPayloadTypes(producer->parameters().codecs, section.codecs);
            parameters.extensions = mapExtensions(producer->parameters().extmaps, section.extmaps);
            parameters.firstSequenceNumber = slot.nextSequenceNumber;
            parameters.firstRtxSequenceNumber = static_cast<std::uint16_t>(random_());
            parameters.testDropPercent = options_.testDropPercent;
            slot.consumer =
                std::make_unique<Consumer>(*producer, std::move(parameters), *peer, stats_);
            slot.producerGeneration = producer->generation();
            slot.origin = originOf(slot.key);
            changed = true;
            // A subscriber can decode nothing before a key frame.
            if (peer->connected()) slot.consumer->requestKeyFrame(now);
        }
        if (changed) peer->reindex();
    }
}

void Router::dropConsumersOf(const Producer& producer) {
    for (auto& peer : peers_) {
        bool changed = false;
        for (auto& slot : peer->slots()) {
            if (!slot.consumer || &slot.consumer->producer() != &producer) continue;
            slot.nextSequenceNumber = slot.consumer->nextSequenceNumber();
            slot.consumer.reset();
            changed = true;
        }
        if (changed) peer->reindex();
    }
}

std::vector<TrackKey> Router::availableFor(const std::string& subscriberId) const {
    std::vector<TrackKey> tracks;
    for (const auto& peer : peers_) {
        if (peer->id() == subscriberId || peer->closedReason()) continue;
        for (const auto source : kSources)
            if (peer->producerFor(source)) tracks.push_back({peer->id(), source});
    }
    return tracks;
}

void Router::announceTracks() {
    for (auto& peer : peers_) {
        if (!peer->connection().transport) continue;
        std::vector<AvailableTrack> tracks;
        for (const auto& key : availableFor(peer->id()))
            tracks.push_back({key.publisherId, key.source});
        if (tracks == peer->announced()) continue;
        peer->announced() = tracks;
        listener_.onTracksAvailable(roomId_, peer->id(), std::move(tracks));
    }
}

void Router::erasePeer(const std::string& peerId, bool closeTransport) {
    const auto found = std::find_if(peers_.begin(), peers_.end(),
                                    [&](const auto& peer) { return peer->id() == peerId; });
    if (found == peers_.end()) return;
    RouterPeer& peer = **found;
    for (const auto& [mid, producer] : peer.producers()) dropConsumersOf(*producer);
    peer.clearConsumers();
    const auto transportId = peer.connection().transportId;
    const bool open = peer.connection().transport != nullptr;
    peer.detachTransport();
    stats_.srtpFailures += peer.srtpFailures();
    if (closeTransport && open) worker_.closeTransport(transportId);
    peers_.erase(found);
    forwarding_.removePeer(peerId);
}

void Router::removePeer(const std::string& peerId) {
    erasePeer(peerId, true);
    announceTracks();
    applyForwarding(Clock::now());
}

void Router::tick(Clock::time_point now) {
    removeClosedPeers();
    const auto ntp = ntpNow();
    for (auto& peer : peers_) peer->tick(now, ntp);
    const auto decided = forwarding_.tick(now);
    if (decided.speaker)
        listener_.onActiveSpeaker(roomId_, decided.speaker->peerId, decided.speaker->level);
    if (decided.forwardingChanged) applyForwarding(now);
    announceEncodings(now);
}

void Router::setViews(const std::string& viewerId, std::vector<SfuView> views) {
    auto* viewer = find(viewerId);
    if (!viewer) return;
    // One message carries both: the sizes for the layer choice, the pins for last-N.
    std::vector<std::string> pinned;
    for (const auto& view : views)
        if (view.pinned && view.source == TrackSource::camera &&
            std::find(pinned.begin(), pinned.end(), view.publisherId) == pinned.end())
            pinned.push_back(view.publisherId);
    viewer->setViews(std::move(views));
    setPinned(viewerId, std::move(pinned));
}

void Router::setPinned(const std::string& viewerId, std::vector<std::string> pinned) {
    // Only peers on the media server keep pins, and no more than there are peers to pin: what a
    // viewer sends cannot grow the room's state (the client pins again when its pin is not
    // honoured, see web/src/room/Room.ts).
    if (!find(viewerId)) return;
    if (pinned.size() > peers_.size()) pinned.resize(peers_.size());
    if (forwarding_.setPinned(viewerId, std::move(pinned))) applyForwarding(Clock::now());
}

void Router::onAudioLevel(RouterPeer& peer, AudioLevel level, Clock::time_point now) {
    forwarding_.onAudioLevel(peer.id(), level, now);
}

void Router::applyForwarding(Clock::time_point now) {
    for (auto& peer : peers_) {
        const auto forwarded = forwarding_.forwardedFor(peer->id(), availableFor(peer->id()));
        for (auto& slot : peer->slots()) {
            if (!slot.consumer) continue;
            const bool on =
                std::find(forwarded.begin(), forwarded.end(), slot.key) != forwarded.end();
            slot.consumer->setForwarding(on, now);
        }
        if (!peer->connection().transport) continue;
        std::vector<AvailableTrack> videos;
        for (const auto& key : forwarded)
            if (key.source != TrackSource::microphone)
                videos.push_back({key.publisherId, key.source});
        if (forwarding_.announce(peer->id(), videos))
            listener_.onVideoForwarding(roomId_, peer->id(), std::move(videos));
    }
}

void Router::announceEncodings(Clock::time_point now) {
    for (auto& publisher : peers_) {
        for (auto& [mid, producer] : publisher->producers()) {
            // Before anyone subscribes the publisher keeps every layer on (as it started): the
            // first subscribers then start at once instead of waiting for a layer to resume.
            if (!producer->simulcast() || producer->consumers().empty()) continue;
            // A layer is watched when a consumer wants it or still forwards it; a consumer that
            // last-N switched off watches none.
            std::vector<bool> active(producer->layerCount(), false);
            for (const auto& subscriber : peers_) {
                for (const auto& slot : subscriber->slots()) {
                    if (!slot.consumer || &slot.consumer->producer() != producer.get() ||
                        !slot.consumer->forwarding())
                        continue;
                    if (const auto desired = slot.consumer->layerChoice().desired)
                        active[*desired] = true;
                    if (const auto current = slot.consumer->currentLayer()) active[*current] = true;
                }
            }
            // A layer nobody watches any more is paused only once that held kPauseUnwatchedAfter:
            // switching a layer on or off restarts the publisher's encoder (a key frame on every
            // layer, a stall on a busy machine), so a tile shrunk and enlarged again, or a viewer
            // that comes back soon, finds it still running.
            auto& since = producer->unwatchedSince();
            since.resize(active.size());
            auto& announced = producer->announcedActive();
            for (std::size_t i = 0; i < active.size(); ++i) {
                const bool wasOn = !announced || (i < announced->size() && (*announced)[i]);
                if (active[i] || !wasOn) {
                    since[i].reset();
                    continue;
                }
                if (!since[i]) since[i] = now;
                if (now - *since[i] < kPauseUnwatchedAfter) active[i] = true;
            }
            if (announced == active) continue;
            announced = active;
            std::vector<std::string> rids;
            for (std::size_t i = 0; i < active.size(); ++i)
                if (active[i]) rids.push_back(producer->parameters().rids[i]);
            listener_.onEncodings(roomId_, publisher->id(), producer->parameters().source,
                                  std::move(rids));
        }
    }
}

void Router::removeClosedPeers() {
    std::vector<std::pair<std::string, WebRtcTransport::CloseReason>> closed;
    for (const auto& peer : peers_)
        if (const auto reason = peer->closedReason()) closed.emplace_back(peer->id(), *reason);
    for (const auto& [peerId, reason] : closed) {
        erasePeer(peerId, false);
        // A client that hung up itself (DTLS close_notify) knows; the others reconnect.
        if (reason != WebRtcTransport::CloseReason::peerClosed)
            listener_.onTransportClosed(roomId_, peerId, toString(reason));
    }
    if (!closed.empty()) {
        announceTracks();
        applyForwarding(Clock::now());
    }
}

void Router::onPeerConnected(RouterPeer& peer) {
    const auto now = Clock::now();
    for (auto& slot : peer.slots())
        if (slot.consumer) slot.consumer->requestKeyFrame(now);
}

void Router::addLiveStats(SfuStats& stats) const {
    for (const auto& peer : peers_) stats.srtpFailures += peer->srtpFailures();
}

}  // namespace pulsemeet::media
