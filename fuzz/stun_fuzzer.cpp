// libFuzzer target: a datagram on the media port that the demux calls STUN, through the STUN
// parser and the ICE-lite server as a transport would feed it. Two paths per input: the bytes as
// they are (what an attacker without the password can send), and the bytes as the attributes of
// a request that is then signed with the server's password and fingerprinted (so the decisions
// after authentication get explored too). Invariants beyond "no crash, no sanitizer report":
// every response the server produces is a well-formed STUN message with a valid FINGERPRINT, and
// the server never keeps more than kMaxTuples tuples.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "media/BigEndian.hpp"
#include "media/IceLiteServer.hpp"
#include "media/PacketClassifier.hpp"
#include "media/StunMessage.hpp"

namespace {

using namespace pulsemeet::media;

const IceCredentials kServer{"srvU", "server-password-0123456789"};
const IceCredentials kBrowser{"brwU", "browser-password-abcdefghij"};

void require(bool condition) {
    if (!condition) std::abort();  // a broken invariant: a finding
}

void readEverything(const StunMessage& message) {
    (void)message.username();
    (void)message.software();
    (void)message.priority();
    (void)message.iceControlling();
    (void)message.iceControlled();
    (void)message.xorMappedAddress();
    (void)message.errorCode();
    (void)message.errorReason();
    (void)message.fingerprintValid();
    (void)message.messageIntegrityValid(kServer.password);
    (void)stunLocalUfrag(message);
}

void feed(IceLiteServer& server, std::span<const std::uint8_t> datagram, const Endpoint& from,
          IceLiteServer::Clock::time_point now) {
    const auto outcome = server.handleStun(datagram, from, now);
    if (!outcome.response.empty()) {
        const auto response = StunMessage::parse(outcome.response);
        require(response.has_value());
        require(response->fingerprintValid());
        require(response->messageClass() == StunClass::success ||
                response->messageClass() == StunClass::error);
    }
    require(outcome.verdict != IceVerdict::accepted || server.hasTuple(from));
    require(server.tupleCount() <= IceLiteServer::kMaxTuples);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> input(data, size);
    (void)classifyPacket(input);
    if (const auto message = StunMessage::parse(input)) readEverything(*message);

    const auto now = IceLiteServer::Clock::now();
    IceLiteServer server(kServer);
    server.setRemoteCredentials(kBrowser);
    const Endpoint from = Endpoint::v4({192, 0, 2, 1}, 5000);
    feed(server, input, from, now);

    // Signed path: the input read as (type, length, value) attributes of a binding request.
    std::array<std::uint8_t, stun::kMaxMessageSize> buffer{};
    stun::TransactionId transaction{};
    transaction.fill(0x5a);
    StunMessageWriter writer(buffer, StunClass::request, stun::kMethodBinding, transaction);
    std::size_t at = 0;
    while (size - at >= 3) {
        const std::uint16_t type = readU16(input, at);
        const std::size_t length = std::min<std::size_t>(input[at + 2], size - at - 3);
        writer.addBytes(type, input.subspan(at + 3, length));
        at += 3 + length;
    }
    writer.addMessageIntegrity(kServer.password).addFingerprint();
    if (writer.ok()) {
        // From several addresses over time: tuples, nomination, consent and restart.
        for (std::uint16_t i = 0; i < 12; ++i) {
            const Endpoint peer = Endpoint::v4({10, 0, 0, static_cast<std::uint8_t>(i)}, 9000);
            feed(server, writer.bytes(), peer, now + std::chrono::seconds(i * 4));
            if (i == 6) server.restart({"new1", "new-password-0123456789ab"});
        }
        server.tick(now + std::chrono::seconds(90));
        require(server.tupleCount() == 0);
        require(server.state() == IceState::disconnected || server.state() == IceState::waiting);
    }
    return 0;
}
