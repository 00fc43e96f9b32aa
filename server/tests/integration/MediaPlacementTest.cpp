// Where the media server puts rooms when it has several workers (MEDIA_WORKERS): a new room goes
// to the worker carrying the fewest peers, and a room stays on its worker while it has peers.
// Which worker answered is read from the answer's host candidate: each worker has its own port.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <future>
#include <iterator>
#include <regex>
#include <stdexcept>
#include <string>
#include <variant>

#include "media/Sfu.hpp"

namespace pulsemeet::media {
namespace {

using namespace std::chrono_literals;

class SilentListener : public SfuListener {
  public:
    void onTracksAvailable(const std::string&, const std::string&,
                           std::vector<AvailableTrack>) override {}
    void onTransportClosed(const std::string&, const std::string&, std::string_view) override {}
};

std::string chromeOffer() {
    std::ifstream file(
        std::string(PULSEMEET_SOURCE_DIR) + "/server/tests/fixtures/sdp/chrome-audio-video.sdp",
        std::ios::binary);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

// The port of the answer's host candidate: the worker the room lives on.
int answeringPort(Sfu& sfu, const std::string& roomId, const std::string& peerId) {
    std::promise<std::variant<SfuAnswer, SdpError>> promise;
    auto future = promise.get_future();
    sfu.offer(roomId, peerId, chromeOffer(),
              [&promise](auto result) { promise.set_value(std::move(result)); });
    if (future.wait_for(5s) != std::future_status::ready) throw std::runtime_error("no answer");
    const auto result = future.get();
    if (const auto* error = std::get_if<SdpError>(&result))
        throw std::runtime_error("offer refused: " + error->message);
    std::smatch match;
    const auto& sdp = std::get<SfuAnswer>(result).sdp;
    if (!std::regex_search(sdp, match, std::regex(R"(a=candidate:\S+ 1 udp \d+ \S+ (\d+) typ)")))
        throw std::runtime_error("no candidate in the answer");
    return std::stoi(match[1]);
}

Sfu::Options twoWorkers() {
    Sfu::Options options;
    options.bindAddress = "127.0.0.1";
    options.port = 0;
    options.workers = 2;
    return options;
}

TEST(MediaPlacement, ANewRoomGoesToTheWorkerWithFewestPeers) {
    SilentListener listener;
    Sfu sfu(twoWorkers(), listener);
    const int first = answeringPort(sfu, "a", "1");
    EXPECT_EQ(answeringPort(sfu, "a", "2"), first) << "a room lives on one worker";
    EXPECT_EQ(answeringPort(sfu, "a", "3"), first);
    const int second = answeringPort(sfu, "b", "1");
    EXPECT_NE(second, first) << "room b goes to the idle worker";
    EXPECT_EQ(answeringPort(sfu, "c", "1"), second) << "1 peer there against 3";
    EXPECT_EQ(answeringPort(sfu, "d", "1"), second) << "2 peers there against 3";
    EXPECT_EQ(answeringPort(sfu, "e", "1"), first) << "3 against 3: the first";
    // A room keeps its worker however loaded it is.
    EXPECT_EQ(answeringPort(sfu, "c", "2"), second);
}

TEST(MediaPlacement, LeavingPeersFreeTheirWorker) {
    SilentListener listener;
    Sfu sfu(twoWorkers(), listener);
    const int first = answeringPort(sfu, "a", "1");
    answeringPort(sfu, "a", "2");
    const int second = answeringPort(sfu, "b", "1");
    ASSERT_NE(first, second);
    sfu.removePeer("a", "1");
    sfu.removePeer("a", "2");
    // Room a is gone: its worker carries nothing, room b's one peer.
    EXPECT_EQ(answeringPort(sfu, "c", "1"), first);
    // A peer removed twice, or one never placed, changes nothing.
    sfu.removePeer("b", "1");
    sfu.removePeer("b", "1");
    sfu.removePeer("nowhere", "1");
    EXPECT_EQ(answeringPort(sfu, "d", "1"), second);
}

}  // namespace
}  // namespace pulsemeet::media
