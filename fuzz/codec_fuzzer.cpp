// libFuzzer target: one client text frame through the protocol codec and validator, as
// SignalingConnection::onText does, and every accepted message back out through the encoders.
// Invariant checked beyond "no crash, no sanitizer report": whatever the server would send is
// valid JSON, so a hostile frame cannot make the server emit something a client cannot parse.
#include <boost/json/parse.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "signaling/ClientMessage.hpp"
#include "wire/ServerMessages.hpp"

namespace {

void requireJson(const std::string& text) {
    boost::system::error_code ec;
    boost::json::parse(text, ec);
    if (ec) std::abort();  // an encoder produced invalid JSON: a finding
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pulsemeet::signaling;
    using namespace pulsemeet::wire;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto decoded = decodeClientMessage(text);
    if (const auto* error = std::get_if<SignalError>(&decoded)) {
        requireJson(encodeError(*error));
        return 0;
    }
    const auto& message = std::get<ClientMessage>(decoded);
    switch (message.type) {
        case MessageType::join:
            requireJson(encodePeerJoined(message.roomId, "0123456789abcdef", message.name,
                                         kDefaultMediaJson));
            requireJson(encodeRoomJoined(
                message.roomId, "0123456789abcdef",
                {{"fedcba9876543210", message.name, std::string(kDefaultMediaJson)}},
                message.resumeToken, "[]"));
            break;
        case MessageType::offer:
        case MessageType::answer:
        case MessageType::iceCandidate:
        case MessageType::mediaState:
            requireJson(encodeRelay(message.type, "room-1", "0123456789abcdef", message.targetId,
                                    message.dataJson));
            break;
        case MessageType::chat:
            requireJson(encodeChat("room-1", "0123456789abcdef", message.text));
            break;
        case MessageType::sfuOffer:
            // The media server's answer echoes nothing of the offer but mids (media/SdpAnswer);
            // here the offer's text stands in for an answer and its mids.
            requireJson(
                encodeSfuAnswer(message.sdp, {{"0123456789abcdef", "camera", message.sdp}}));
            break;
        default:
            break;
    }
    return 0;
}
