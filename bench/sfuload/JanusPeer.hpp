#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "BenchClient.hpp"
#include "MediaLink.hpp"
#include "MediaPublisher.hpp"
#include "MediaSubscriber.hpp"
#include "Participant.hpp"

// A participant on Janus's VideoRoom plugin, over Janus's WebSocket JSON API (subprotocol
// "janus-protocol"): create a session, attach janus.plugin.videoroom twice (a publisher handle
// and a subscriber handle), create the room (whoever comes first; "already exists" is fine),
// join as publisher and publish with a JSEP offer, then, once every publisher of the room is in
// (JanusFeeds), join as subscriber to all the other feeds and answer Janus's offer. Two
// PeerConnections, as a Janus client has: one MediaLink each, the same ICE/DTLS/SRTP path and the
// same media as LoadPeer. The load peer is the DTLS client on both (setup:active).
namespace pulsemeet::bench::sfu {

// The feeds published so far, per room: what subscribers wait for.
struct JanusFeeds {
    std::unordered_map<std::string, std::vector<std::uint64_t>> byRoom;
};

class JanusPeer final : public Participant, public ClientEvents {
  public:
    JanusPeer(boost::asio::io_context& io, PeerPlan plan, RunTotals& totals, JanusFeeds& feeds);

    void connect() override;
    void tick(Clock::time_point now) override;
    void close() override;
    bool connected() const override;
    std::size_t streamsReceiving() const override { return subscriber_.streamsReceiving(); }
    std::uint64_t lost() const override { return subscriber_.lost(); }
    void resetCounters() override { subscriber_.resetCounters(); }
    bool publishes() const override { return plan_.publishes; }
    std::string srtpProfile() const override;

    void onOpen(BenchClient& client, boost::beast::error_code ec) override;
    void onMessage(BenchClient& client, std::string_view text) override;
    void onClosed(BenchClient& client, boost::beast::error_code ec) override;

  private:
    using Handler = std::function<void(const boost::json::object&)>;

    // Routes one link's packets: RTCP on the publishing link to the publisher, RTP on the
    // subscribing link to the subscriber.
    struct LinkEvents final : MediaLinkListener {
        LinkEvents(JanusPeer& peer, bool publishing) : peer(peer), publishing(publishing) {}
        void onLinkConnected() override {}
        void onLinkFailed(const char* why) override;
        void onPlainRtp(std::span<std::uint8_t> packet) override;
        void onPlainRtcp(std::span<const std::uint8_t> packet) override;
        JanusPeer& peer;
        bool publishing;
    };

    void request(boost::json::object message, Handler handler);
    // A VideoRoom request on a handle; `handler` gets the plugin's reply data (and the message).
    void pluginRequest(
        std::uint64_t handle, boost::json::object body,
        std::function<void(const boost::json::object& data, const boost::json::object& message)>
            handler,
        std::optional<boost::json::object> jsep = std::nullopt);
    void attach(std::function<void(std::uint64_t)> then);
    void createRoom();
    void joinAsPublisher();
    void subscribe(const std::vector<std::uint64_t>& feeds);
    void startLink(MediaLink& link, const std::string& sdp);
    // "a=candidate:" value for the link's socket, bound now to PeerPlan::mediaAddress.
    std::string hostCandidate(MediaLink& link);

    PeerPlan plan_;
    JanusFeeds& feeds_;
    BenchClient ws_;
    LinkEvents publishEvents_{*this, true};
    LinkEvents subscribeEvents_{*this, false};
    MediaLink publishLink_;
    MediaLink subscribeLink_;
    MediaPublisher publisher_;
    MediaSubscriber subscriber_;
    std::uint64_t room_;
    std::uint64_t session_ = 0;
    std::uint64_t publishHandle_ = 0;
    std::uint64_t subscribeHandle_ = 0;
    std::uint64_t feed_ = 0;
    bool feedAnnounced_ = false;
    bool readyToSubscribe_ = false;
    bool subscribing_ = false;
    std::uint64_t nextTransaction_ = 1;
    std::map<std::string, Handler> pending_;
    Clock::time_point nextKeepalive_ = Clock::now() + std::chrono::seconds(20);
};

}  // namespace pulsemeet::bench::sfu
