#pragma once

#include <boost/asio/io_context.hpp>
#include <string>

#include "BenchClient.hpp"
#include "MediaLink.hpp"
#include "MediaPublisher.hpp"
#include "MediaSubscriber.hpp"
#include "Participant.hpp"

// A participant on pulsemeet's media server, as a browser is one: it joins over the WebSocket
// (`join` with data.sfu, then `sfu-offer` / `sfu-answer`, re-offering with more recvonly sections
// when `sfu-tracks` grows; docs/protocol.md, "Rooms on the media server"), connects one
// MediaLink, publishes (when it is a publisher) and receives everything its room forwards.
namespace pulsemeet::bench::sfu {

class LoadPeer final : public Participant, public ClientEvents, public MediaLinkListener {
  public:
    LoadPeer(boost::asio::io_context& io, PeerPlan plan, RunTotals& totals);

    void connect() override;
    void tick(Clock::time_point now) override;
    void close() override;
    bool connected() const override { return link_.state() == MediaLink::State::connected; }
    std::size_t streamsReceiving() const override { return subscriber_.streamsReceiving(); }
    std::uint64_t lost() const override { return subscriber_.lost(); }
    void resetCounters() override { subscriber_.resetCounters(); }
    bool publishes() const override { return plan_.publishes; }
    std::string srtpProfile() const override { return link_.srtpProfile(); }

    // ClientEvents
    void onOpen(BenchClient& client, boost::beast::error_code ec) override;
    void onMessage(BenchClient& client, std::string_view text) override;
    void onClosed(BenchClient& client, boost::beast::error_code ec) override;
    // MediaLinkListener
    void onLinkConnected() override {}
    void onLinkFailed(const char* why) override { fail(std::string("media link: ") + why); }
    void onPlainRtp(std::span<std::uint8_t> packet) override { subscriber_.onRtp(packet); }
    void onPlainRtcp(std::span<const std::uint8_t> packet) override {
        publisher_.onRtcp(packet, link_);
    }

  private:
    void sendOffer();
    void onAnswer(const std::string& sdp, const boost::json::array& tracks);

    PeerPlan plan_;
    BenchClient ws_;
    MediaLink link_;
    MediaPublisher publisher_;
    MediaSubscriber subscriber_;
    std::string peerId_;
    bool sfuMode_ = false;
    bool answered_ = false;
    bool offerInFlight_ = false;
    bool offerAgain_ = false;
    std::size_t recvAudioSections_ = 0;
    std::size_t recvVideoSections_ = 0;
    std::size_t wantAudio_ = 0;
    std::size_t wantVideo_ = 0;
};

}  // namespace pulsemeet::bench::sfu
