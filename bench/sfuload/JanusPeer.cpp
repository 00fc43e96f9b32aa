#include "JanusPeer.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <unordered_map>

#include "JsonFields.hpp"
#include "OfferSdp.hpp"
#include "media/SdpOffer.hpp"

namespace pulsemeet::bench::sfu {

namespace asio = boost::asio;
namespace json = boost::json;

JanusPeer::JanusPeer(asio::io_context& io, PeerPlan plan, RunTotals& totals, JanusFeeds& feeds)
    : plan_(std::move(plan)),
      feeds_(feeds),
      ws_(io, *this, plan_.index),
      publishLink_(io, publishEvents_),
      subscribeLink_(io, subscribeEvents_),
      publisher_(totals, plan_.index),
      subscriber_(totals, tagOf(plan_.roomId), publisher_.audioSsrc()),
      room_(std::uint64_t{tagOf(plan_.roomId)} + 1) {
    ws_.setSubprotocol("janus-protocol");
}

void JanusPeer::connect() {
    ws_.connect({plan_.signalingAddress, plan_.signalingPort}, std::nullopt);
}

void JanusPeer::close() {
    ws_.close();
}

bool JanusPeer::connected() const {
    const bool published = !plan_.publishes || publishLink_.state() == MediaLink::State::connected;
    const bool othersPublish = plan_.publishersInRoom > (plan_.publishes ? 1U : 0U);
    const bool subscribed = !othersPublish || subscribeLink_.state() == MediaLink::State::connected;
    return published && subscribed;
}

std::string JanusPeer::srtpProfile() const {
    if (publishLink_.state() == MediaLink::State::connected) return publishLink_.srtpProfile();
    if (subscribeLink_.state() == MediaLink::State::connected) return subscribeLink_.srtpProfile();
    return {};
}

void JanusPeer::onOpen(BenchClient&, boost::beast::error_code ec) {
    if (ec) return fail("websocket: " + ec.message());
    request({{"janus", "create"}}, [this](const json::object& reply) {
        const auto* data = objectField(reply, "data");
        session_ = data ? numberField(*data, "id") : 0;
        if (session_ == 0) return fail("janus create: " + json::serialize(reply));
        attach([this](std::uint64_t handle) {
            publishHandle_ = handle;
            attach([this](std::uint64_t handle) {
                subscribeHandle_ = handle;
                createRoom();
            });
        });
    });
}

void JanusPeer::onClosed(BenchClient&, boost::beast::error_code ec) {
    if (ec) fail("websocket closed: " + ec.message());
}

void JanusPeer::request(json::object message, Handler handler) {
    const auto transaction = std::to_string(nextTransaction_++);
    message["transaction"] = transaction;
    if (session_ != 0 && !message.contains("session_id")) message["session_id"] = session_;
    if (handler) pending_.emplace(transaction, std::move(handler));
    ws_.send(json::serialize(message));
}

void JanusPeer::attach(std::function<void(std::uint64_t)> then) {
    request({{"janus", "attach"}, {"plugin", "janus.plugin.videoroom"}},
            [this, then = std::move(then)](const json::object& reply) {
                const auto* data = objectField(reply, "data");
                const auto handle = data ? numberField(*data, "id") : 0;
                if (handle == 0) return fail("janus attach: " + json::serialize(reply));
                then(handle);
            });
}

void JanusPeer::pluginRequest(std::uint64_t handle, json::object body,
                              std::function<void(const json::object&, const json::object&)> handler,
                              std::optional<json::object> jsep) {
    json::object message{{"janus", "message"}, {"handle_id", handle}, {"body", std::move(body)}};
    if (jsep) message["jsep"] = std::move(*jsep);
    request(std::move(message), [this, handler = std::move(handler)](const json::object& reply) {
        const auto* plugin = objectField(reply, "plugindata");
        const auto* data = plugin ? objectField(*plugin, "data") : nullptr;
        if (data == nullptr) return fail("janus: " + json::serialize(reply));
        handler(*data, reply);
    });
}

void JanusPeer::createRoom() {
    json::object body{
        {"request", "create"},  {"room", room_},       {"publishers", plan_.publishersInRoom + 1},
        {"audiocodec", "opus"}, {"videocodec", "vp8"}, {"bitrate", 0}};
    pluginRequest(publishHandle_, std::move(body),
                  [this](const json::object& data, const json::object&) {
                      // 427: the room exists, made by a room-mate first.
                      if (data.contains("error") && numberField(data, "error_code") != 427)
                          return fail("janus create room: " + json::serialize(data));
                      if (plan_.publishes)
                          joinAsPublisher();
                      else
                          readyToSubscribe_ = true;
                  });
}

void JanusPeer::joinAsPublisher() {
    json::object body{{"request", "join"},
                      {"ptype", "publisher"},
                      {"room", room_},
                      {"display", "load " + std::to_string(plan_.index)}};
    pluginRequest(
        publishHandle_, std::move(body), [this](const json::object& data, const json::object&) {
            feed_ = numberField(data, "id");
            if (feed_ == 0) return fail("janus join: " + json::serialize(data));
            publisher_.setStamp(tagOf(plan_.roomId), tagOf(std::to_string(feed_)));
            const auto sdp =
                loadPeerSdp({{"audio", "0", "sendonly", publisher_.audioSsrc()},
                             {"video", "1", "sendonly", publisher_.videoSsrc()}},
                            publishLink_.localUfrag(), publishLink_.localPassword(),
                            publishLink_.fingerprint(), "active", hostCandidate(publishLink_));
            pluginRequest(
                publishHandle_, {{"request", "publish"}, {"audio", true}, {"video", true}},
                [this](const json::object& data, const json::object& message) {
                    const auto* jsep = objectField(message, "jsep");
                    if (jsep == nullptr) return fail("janus publish: " + json::serialize(data));
                    startLink(publishLink_, stringField(*jsep, "sdp"));
                },
                json::object{{"type", "offer"}, {"sdp", sdp}});
        });
}

void JanusPeer::subscribe(const std::vector<std::uint64_t>& feeds) {
    subscribing_ = true;
    json::array streams;
    for (const auto feed : feeds)
        if (feed != feed_) streams.push_back(json::object{{"feed", feed}});
    if (streams.empty()) return;
    json::object body{{"request", "join"},
                      {"ptype", "subscriber"},
                      {"room", room_},
                      {"streams", std::move(streams)}};
    pluginRequest(
        subscribeHandle_, std::move(body),
        [this](const json::object& data, const json::object& message) {
            const auto* jsep = objectField(message, "jsep");
            if (jsep == nullptr) return fail("janus subscribe: " + json::serialize(data));
            const auto offerSdp = stringField(*jsep, "sdp");
            auto parsed = media::parseSdpOffer(offerSdp);
            auto* offer = std::get_if<media::SdpOffer>(&parsed);
            if (offer == nullptr || offer->media.empty()) return fail("janus offer does not parse");
            // Which feed each of Janus's sections carries.
            std::unordered_map<std::string, std::uint64_t> feedByMid;
            if (const auto* streams = data.if_contains("streams"); streams && streams->is_array())
                for (const auto& stream : streams->get_array())
                    if (stream.is_object())
                        feedByMid[stringField(stream.get_object(), "mid")] =
                            numberField(stream.get_object(), "feed_id");
            std::vector<SdpSection> sections;
            for (const auto& section : offer->media) {
                if (section.kind != "audio" && section.kind != "video") continue;
                const int payloadType =
                    section.codecs.empty() ? -1 : section.codecs.front().payloadType;
                sections.push_back({section.kind, section.mid, "recvonly", 0, payloadType});
                const auto feed = feedByMid.find(section.mid);
                if (!section.ssrcs.empty() && feed != feedByMid.end())
                    subscriber_.expect(section.ssrcs.front().ssrc,
                                       tagOf(std::to_string(feed->second)));
            }
            const auto answer =
                loadPeerSdp(sections, subscribeLink_.localUfrag(), subscribeLink_.localPassword(),
                            subscribeLink_.fingerprint(), "active", hostCandidate(subscribeLink_));
            pluginRequest(
                subscribeHandle_, {{"request", "start"}},
                [this, offerSdp](const json::object& data, const json::object&) {
                    if (data.contains("error"))
                        return fail("janus start: " + json::serialize(data));
                    startLink(subscribeLink_, offerSdp);
                },
                json::object{{"type", "answer"}, {"sdp", answer}});
        });
}

std::string JanusPeer::hostCandidate(MediaLink& link) {
    if (!plan_.mediaAddress) return {};
    const auto port = link.bindLocal(*plan_.mediaAddress);
    if (port == 0) return {};
    return "1 1 udp 2130706431 " + plan_.mediaAddress->to_string() + " " + std::to_string(port) +
           " typ host";
}

void JanusPeer::startLink(MediaLink& link, const std::string& sdp) {
    auto parsed = media::parseSdpOffer(sdp);
    auto* description = std::get_if<media::SdpOffer>(&parsed);
    const auto candidate = firstIpv4Candidate(sdp);
    if (description == nullptr || description->media.empty() || !candidate)
        return fail("janus sdp without an IPv4 candidate");
    const auto& first = description->media.front();
    link.start({asio::ip::make_address(candidate->ip), candidate->port}, first.iceUfrag,
               first.icePwd);
}

void JanusPeer::onMessage(BenchClient&, std::string_view text) {
    boost::system::error_code ec;
    auto value = json::parse(text, ec);
    if (ec || !value.is_object()) return;
    const auto& message = value.get_object();
    const auto kind = stringField(message, "janus");
    if (kind == "ack") return;  // an event with the same transaction follows
    if (kind == "hangup") return fail("janus hung up: " + std::string(text));
    const auto found = pending_.find(stringField(message, "transaction"));
    if (found == pending_.end()) return;  // notifications (webrtcup, media, new publishers...)
    auto handler = std::move(found->second);
    pending_.erase(found);
    if (kind == "error") return fail("janus error: " + std::string(text));
    handler(message);
}

void JanusPeer::tick(Clock::time_point now) {
    publishLink_.tick(now);
    subscribeLink_.tick(now);
    if (session_ != 0 && now >= nextKeepalive_) {
        nextKeepalive_ = now + std::chrono::seconds(20);
        request({{"janus", "keepalive"}}, nullptr);  // answered with an ack only
    }
    // A feed can be subscribed to once its PeerConnection is up ("No such feed" before).
    if (plan_.publishes && !feedAnnounced_ && publishLink_.state() == MediaLink::State::connected) {
        feedAnnounced_ = true;
        feeds_.byRoom[plan_.roomId].push_back(feed_);
        readyToSubscribe_ = true;
    }
    if (readyToSubscribe_ && !subscribing_) {
        const auto& feeds = feeds_.byRoom[plan_.roomId];
        if (feeds.size() >= plan_.publishersInRoom) subscribe(feeds);
    }
    if (plan_.publishes) publisher_.tick(now, publishLink_);
    subscriber_.tick(now, subscribeLink_);
}

void JanusPeer::LinkEvents::onLinkFailed(const char* why) {
    peer.fail(std::string(publishing ? "publishing" : "subscribing") + " link: " + why);
}

void JanusPeer::LinkEvents::onPlainRtp(std::span<std::uint8_t> packet) {
    if (!publishing) peer.subscriber_.onRtp(packet);
}

void JanusPeer::LinkEvents::onPlainRtcp(std::span<const std::uint8_t> packet) {
    if (publishing) peer.publisher_.onRtcp(packet, peer.publishLink_);
}

}  // namespace pulsemeet::bench::sfu
