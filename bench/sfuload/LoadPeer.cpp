#include "LoadPeer.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <unordered_map>

#include "JsonFields.hpp"
#include "OfferSdp.hpp"
#include "media/SdpOffer.hpp"

namespace pulsemeet::bench::sfu {

namespace asio = boost::asio;
namespace json = boost::json;

LoadPeer::LoadPeer(asio::io_context& io, PeerPlan plan, RunTotals& totals)
    : plan_(std::move(plan)),
      ws_(io, *this, plan_.index),
      link_(io, *this),
      publisher_(totals, plan_.index),
      subscriber_(totals, tagOf(plan_.roomId), publisher_.audioSsrc()) {}

void LoadPeer::connect() {
    ws_.connect({plan_.signalingAddress, plan_.signalingPort}, std::nullopt);
}

void LoadPeer::close() {
    ws_.close();
}

void LoadPeer::onOpen(BenchClient&, boost::beast::error_code ec) {
    if (ec) return fail("websocket: " + ec.message());
    json::object join{
        {"type", "join"},
        {"roomId", plan_.roomId},
        {"data", json::object{{"name", "load " + std::to_string(plan_.index)}, {"sfu", true}}}};
    ws_.send(json::serialize(join));
}

void LoadPeer::onClosed(BenchClient&, boost::beast::error_code ec) {
    if (ec) fail("websocket closed: " + ec.message());
}

void LoadPeer::onMessage(BenchClient&, std::string_view text) {
    boost::system::error_code ec;
    auto value = json::parse(text, ec);
    if (ec || !value.is_object()) return;
    const auto& message = value.get_object();
    const auto type = stringField(message, "type");
    if (type == "room-joined") {
        peerId_ = stringField(message, "peerId");
        publisher_.setStamp(tagOf(plan_.roomId), tagOf(peerId_));
        if (const auto* data = message.if_contains("data"); data && data->is_object())
            sfuMode_ = stringField(data->get_object(), "mode") == "sfu";
        if (sfuMode_) sendOffer();
    } else if (type == "room-mode") {
        const bool was = sfuMode_;
        sfuMode_ = stringField(message, "mode") == "sfu";
        if (sfuMode_ && !was) sendOffer();
    } else if (type == "sfu-tracks") {
        wantAudio_ = 0;
        wantVideo_ = 0;
        if (const auto* tracks = message.if_contains("tracks"); tracks && tracks->is_array()) {
            for (const auto& track : tracks->get_array()) {
                if (!track.is_object()) continue;
                if (stringField(track.get_object(), "source") == "microphone")
                    ++wantAudio_;
                else
                    ++wantVideo_;
            }
        }
        // Re-offer on every change, as the web client does: the server maps tracks to free
        // recvonly sections only in an answer.
        sendOffer();
    } else if (type == "sfu-answer") {
        offerInFlight_ = false;
        static const json::array kNone;
        const auto* tracks = message.if_contains("tracks");
        onAnswer(stringField(message, "sdp"),
                 tracks && tracks->is_array() ? tracks->get_array() : kNone);
        if (offerAgain_) {
            offerAgain_ = false;
            sendOffer();
        }
    } else if (type == "error") {
        fail("server error: " + std::string(text));
    } else if (type == "sfu-closed") {
        fail("media transport closed: " + std::string(text));
    }
}

void LoadPeer::sendOffer() {
    if (offerInFlight_) {
        offerAgain_ = true;
        return;
    }
    offerInFlight_ = true;
    // A viewer offers one recvonly audio and video from the start: the server announces tracks
    // (sfu-tracks) only to a peer that is on the media server, i.e. has offered.
    const std::size_t floor = plan_.publishes ? 0 : 1;
    recvAudioSections_ = std::max({recvAudioSections_, wantAudio_, floor});
    recvVideoSections_ = std::max({recvVideoSections_, wantVideo_, floor});
    // The publisher's two sections, then recvonly audio, then recvonly video: a re-offer only
    // adds sections at the end of its kind, and mids name kind and position, so they stay put.
    std::vector<SdpSection> sections;
    if (plan_.publishes) {
        sections.push_back({"audio", "0", "sendonly", publisher_.audioSsrc()});
        sections.push_back({"video", "1", "sendonly", publisher_.videoSsrc()});
    }
    for (std::size_t i = 0; i < recvAudioSections_; ++i)
        sections.push_back({"audio", "a" + std::to_string(i), "recvonly"});
    for (std::size_t i = 0; i < recvVideoSections_; ++i)
        sections.push_back({"video", "v" + std::to_string(i), "recvonly"});
    const auto sdp = loadPeerSdp(sections, link_.localUfrag(), link_.localPassword(),
                                 link_.fingerprint(), "actpass");
    ws_.send(json::serialize(json::object{{"type", "sfu-offer"}, {"sdp", sdp}}));
}

void LoadPeer::onAnswer(const std::string& sdp, const json::array& tracks) {
    auto parsed = media::parseSdpOffer(sdp);
    auto* answer = std::get_if<media::SdpOffer>(&parsed);
    if (answer == nullptr || answer->media.empty()) return fail("unparsable answer");
    std::unordered_map<std::string, std::uint32_t> ssrcByMid;
    for (const auto& section : answer->media)
        if (!section.ssrcs.empty()) ssrcByMid[section.mid] = section.ssrcs.front().ssrc;
    for (const auto& track : tracks) {
        if (!track.is_object()) continue;
        const auto found = ssrcByMid.find(stringField(track.get_object(), "mid"));
        if (found != ssrcByMid.end())
            subscriber_.expect(found->second, tagOf(stringField(track.get_object(), "peerId")));
    }
    if (answered_) return;
    answered_ = true;
    const auto candidate = firstIpv4Candidate(sdp);
    if (!candidate) return fail("no IPv4 candidate in the answer");
    const auto& first = answer->media.front();
    link_.start({asio::ip::make_address(candidate->ip), candidate->port}, first.iceUfrag,
                first.icePwd);
}

void LoadPeer::tick(Clock::time_point now) {
    link_.tick(now);
    if (!connected()) return;
    if (plan_.publishes) publisher_.tick(now, link_);
    subscriber_.tick(now, link_);
}

}  // namespace pulsemeet::bench::sfu
