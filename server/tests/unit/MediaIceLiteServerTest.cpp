// ICE-lite: the checks on a binding request, nomination, tuples, consent expiry and ICE restart,
// with requests built the way a browser builds them.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <string>

#include "media/IceLiteServer.hpp"
#include "media/StunMessage.hpp"

using namespace pulsemeet::media;
using namespace std::chrono_literals;

namespace {

const IceCredentials kServer{"srvU", "server-password-0123456789"};
const IceCredentials kBrowser{"brwU", "browser-password-abcdefghij"};
const Endpoint kFrom = Endpoint::v4({10, 0, 0, 7}, 50000);

struct RequestOptions {
    std::string username = "srvU:brwU";
    std::string key = "server-password-0123456789";
    bool priority = true;
    bool fingerprint = true;
    bool integrity = true;
    bool useCandidate = false;
    bool controlled = false;
    std::uint16_t method = stun::kMethodBinding;
    StunClass messageClass = StunClass::request;
};

// A binding request as Chrome sends it: USERNAME, ICE-CONTROLLING, PRIORITY, (USE-CANDIDATE),
// MESSAGE-INTEGRITY, FINGERPRINT.
struct Request {
    std::array<std::uint8_t, 256> buffer{};
    std::span<const std::uint8_t> bytes;

    explicit Request(const RequestOptions& options, std::uint8_t id = 1) {
        stun::TransactionId transaction{};
        transaction.fill(id);
        StunMessageWriter writer(buffer, options.messageClass, options.method, transaction);
        writer.addString(stun::kAttrUsername, options.username);
        if (options.controlled)
            writer.addU64(stun::kAttrIceControlled, 42);
        else
            writer.addU64(stun::kAttrIceControlling, 42);
        if (options.priority) writer.addU32(stun::kAttrPriority, 0x6e0001ff);
        if (options.useCandidate) writer.addFlag(stun::kAttrUseCandidate);
        if (options.integrity) writer.addMessageIntegrity(options.key);
        if (options.fingerprint) writer.addFingerprint();
        bytes = writer.bytes();
    }
};

IceLiteServer makeServer() {
    IceLiteServer server(kServer);
    server.setRemoteCredentials(kBrowser);
    return server;
}

}  // namespace

TEST(MediaIceLite, ValidRequestGetsAnAuthenticatedSuccessWithTheMappedAddress) {
    auto server = makeServer();
    const auto now = IceLiteServer::Clock::now();
    Request request({}, 9);
    const auto outcome = server.handleStun(request.bytes, kFrom, now);
    ASSERT_EQ(outcome.verdict, IceVerdict::accepted);
    EXPECT_TRUE(outcome.selectedTupleChanged);
    const auto response = StunMessage::parse(outcome.response);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->messageClass(), StunClass::success);
    EXPECT_EQ(response->transactionId()[0], 9);
    EXPECT_EQ(response->xorMappedAddress(), kFrom);
    EXPECT_TRUE(response->fingerprintValid());
    EXPECT_TRUE(response->messageIntegrityValid(kServer.password))
        << "responses are signed with our own ice-pwd";
    EXPECT_EQ(server.state(), IceState::connected);
    EXPECT_EQ(server.selectedTuple(), kFrom);
    EXPECT_TRUE(server.hasTuple(kFrom));
    EXPECT_EQ(server.counters().accepted, 1U);
}

TEST(MediaIceLite, EachMissingPieceIsRefusedWithTheRightCode) {
    const auto now = IceLiteServer::Clock::now();
    struct Case {
        const char* name;
        RequestOptions options;
        std::uint16_t code;
    };
    RequestOptions noPriority;
    noPriority.priority = false;
    RequestOptions noFingerprint;
    noFingerprint.fingerprint = false;
    RequestOptions noIntegrity;
    noIntegrity.integrity = false;
    RequestOptions otherMethod;
    otherMethod.method = 0x003;  // Allocate: a TURN method
    RequestOptions wrongKey;
    wrongKey.key = "not-our-password";
    RequestOptions otherUfrag;
    otherUfrag.username = "elseU:brwU";
    RequestOptions prefixUfrag;
    prefixUfrag.username = "srvUX:brwU";
    RequestOptions otherRemote;
    otherRemote.username = "srvU:intruder";
    RequestOptions noColon;
    noColon.username = "srvU";
    RequestOptions controlled;
    controlled.controlled = true;
    const Case cases[] = {
        {"no PRIORITY", noPriority, 400},
        {"no FINGERPRINT", noFingerprint, 400},
        {"no MESSAGE-INTEGRITY", noIntegrity, 400},
        {"not a binding", otherMethod, 400},
        {"wrong password", wrongKey, 401},
        {"other ufrag", otherUfrag, 401},
        {"ufrag prefix", prefixUfrag, 401},
        {"other remote ufrag", otherRemote, 401},
        {"no colon", noColon, 401},
        {"peer controlled too", controlled, 487},
    };
    for (const auto& c : cases) {
        auto server = makeServer();
        Request request(c.options);
        const auto outcome = server.handleStun(request.bytes, kFrom, now);
        EXPECT_EQ(outcome.verdict, IceVerdict::rejected) << c.name;
        const auto response = StunMessage::parse(outcome.response);
        ASSERT_TRUE(response) << c.name;
        EXPECT_EQ(response->messageClass(), StunClass::error) << c.name;
        EXPECT_EQ(response->errorCode(), c.code) << c.name;
        EXPECT_TRUE(response->fingerprintValid()) << c.name;
        EXPECT_EQ(response->hasMessageIntegrity(), c.code == 487)
            << c.name << ": only an authenticated request gets a signed error";
        EXPECT_FALSE(server.hasTuple(kFrom)) << c.name << ": a refused request adds no tuple";
        EXPECT_EQ(server.state(), IceState::waiting) << c.name;
    }
}

TEST(MediaIceLite, GarbageBadFingerprintsAndResponsesGetNoAnswer) {
    auto server = makeServer();
    const auto now = IceLiteServer::Clock::now();
    const std::array<std::uint8_t, 5> garbage{1, 2, 3, 4, 5};
    EXPECT_EQ(server.handleStun(garbage, kFrom, now).verdict, IceVerdict::dropped);

    Request request({});
    std::array<std::uint8_t, 256> copy{};
    std::copy(request.bytes.begin(), request.bytes.end(), copy.begin());
    copy[request.bytes.size() - 1] ^= 1;  // last byte of FINGERPRINT
    const auto outcome = server.handleStun(std::span(copy).first(request.bytes.size()), kFrom, now);
    EXPECT_EQ(outcome.verdict, IceVerdict::dropped);
    EXPECT_TRUE(outcome.response.empty());

    RequestOptions indication;
    indication.messageClass = StunClass::indication;
    EXPECT_EQ(server.handleStun(Request(indication).bytes, kFrom, now).verdict,
              IceVerdict::dropped);
    EXPECT_EQ(server.counters().malformed, 1U);
    EXPECT_EQ(server.counters().badFingerprint, 1U);
    EXPECT_EQ(server.counters().notRequest, 1U);
    EXPECT_EQ(server.state(), IceState::waiting);
}

TEST(MediaIceLite, UnknownRemoteUfragIsAcceptedUntilTheOfferGivesIt) {
    IceLiteServer server(kServer);  // no remote credentials yet (trickled before the answer)
    RequestOptions options;
    options.username = "srvU:anything";
    EXPECT_EQ(server.handleStun(Request(options).bytes, kFrom, IceLiteServer::Clock::now()).verdict,
              IceVerdict::accepted);
}

TEST(MediaIceLite, NominationSelectsItsTuple) {
    auto server = makeServer();
    const auto now = IceLiteServer::Clock::now();
    const Endpoint second = Endpoint::v4({10, 0, 0, 8}, 50001);
    server.handleStun(Request({}).bytes, kFrom, now);
    EXPECT_EQ(server.selectedTuple(), kFrom);

    // A check on a second pair without nomination does not move media.
    auto outcome = server.handleStun(Request({}).bytes, second, now);
    EXPECT_FALSE(outcome.selectedTupleChanged);
    EXPECT_EQ(server.selectedTuple(), kFrom);
    EXPECT_EQ(server.tupleCount(), 2U);

    RequestOptions nominate;
    nominate.useCandidate = true;
    outcome = server.handleStun(Request(nominate).bytes, second, now);
    EXPECT_TRUE(outcome.selectedTupleChanged);
    EXPECT_EQ(server.selectedTuple(), second);
    EXPECT_EQ(server.state(), IceState::completed);

    // Later plain checks on the first pair keep the nominated one.
    server.handleStun(Request({}).bytes, kFrom, now + 1s);
    EXPECT_EQ(server.selectedTuple(), second);
}

TEST(MediaIceLite, TuplesAreCappedAndTheSelectedOneSurvives) {
    auto server = makeServer();
    const auto start = IceLiteServer::Clock::now();
    RequestOptions nominate;
    nominate.useCandidate = true;
    server.handleStun(Request(nominate).bytes, kFrom, start);
    for (std::uint16_t i = 0; i < 50; ++i) {
        const auto from = Endpoint::v4({10, 1, 0, 1}, static_cast<std::uint16_t>(40000 + i));
        server.handleStun(Request({}).bytes, from, start + std::chrono::milliseconds(i + 1));
        ASSERT_LE(server.tupleCount(), IceLiteServer::kMaxTuples);
    }
    EXPECT_EQ(server.tupleCount(), IceLiteServer::kMaxTuples);
    EXPECT_EQ(server.selectedTuple(), kFrom);
    EXPECT_TRUE(server.hasTuple(Endpoint::v4({10, 1, 0, 1}, 40049))) << "newest kept";
    EXPECT_FALSE(server.hasTuple(Endpoint::v4({10, 1, 0, 1}, 40000))) << "oldest evicted";
}

TEST(MediaIceLite, ConsentExpiresAfterThirtySilentSeconds) {
    auto server = makeServer();
    const auto start = IceLiteServer::Clock::now();
    const Endpoint second = Endpoint::v4({10, 0, 0, 8}, 50001);
    RequestOptions nominate;
    nominate.useCandidate = true;
    server.handleStun(Request(nominate).bytes, kFrom, start);
    server.handleStun(Request({}).bytes, second, start + 10s);

    EXPECT_FALSE(server.tick(start + 29s));
    EXPECT_EQ(server.selectedTuple(), kFrom);
    // The nominated tuple went silent: media falls back to the tuple that is still checked.
    EXPECT_TRUE(server.tick(start + 30s));
    EXPECT_EQ(server.selectedTuple(), second);
    EXPECT_FALSE(server.hasTuple(kFrom));
    EXPECT_NE(server.state(), IceState::disconnected);

    server.handleStun(Request({}).bytes, second, start + 35s);  // a consent check refreshes
    EXPECT_FALSE(server.tick(start + 64s));
    EXPECT_TRUE(server.tick(start + 65s));
    EXPECT_EQ(server.state(), IceState::disconnected);
    EXPECT_FALSE(server.selectedTuple());
    EXPECT_EQ(server.tupleCount(), 0U);
}

TEST(MediaIceLite, RestartAcceptsOldCredentialsUntilTheNewOnesArrive) {
    auto server = makeServer();
    const auto now = IceLiteServer::Clock::now();
    server.handleStun(Request({}).bytes, kFrom, now);

    const IceCredentials newServer{"srv2", "server-password-second-one"};
    const IceCredentials newBrowser{"brw2", "browser-password-second-one"};
    server.restart(newServer, newBrowser);
    EXPECT_TRUE(server.restartPending());
    EXPECT_TRUE(server.hasTuple(kFrom)) << "media keeps flowing during the restart";

    EXPECT_EQ(server.handleStun(Request({}).bytes, kFrom, now + 1s).verdict, IceVerdict::accepted)
        << "old credentials still valid";
    EXPECT_TRUE(server.restartPending());

    RequestOptions fresh;
    fresh.username = "srv2:brw2";
    fresh.key = newServer.password;
    const auto outcome = server.handleStun(Request(fresh).bytes, kFrom, now + 2s);
    ASSERT_EQ(outcome.verdict, IceVerdict::accepted);
    EXPECT_TRUE(StunMessage::parse(outcome.response)->messageIntegrityValid(newServer.password));
    EXPECT_FALSE(server.restartPending());

    EXPECT_EQ(server.handleStun(Request({}).bytes, kFrom, now + 3s).verdict, IceVerdict::rejected)
        << "old credentials refused once the new ones were used";
    RequestOptions mixed;  // new local ufrag, but the old remote one
    mixed.username = "srv2:brwU";
    mixed.key = newServer.password;
    EXPECT_EQ(server.handleStun(Request(mixed).bytes, kFrom, now + 3s).verdict,
              IceVerdict::rejected);
}

TEST(MediaIceLite, LocalUfragForRouting) {
    Request request({});
    const auto message = StunMessage::parse(request.bytes);
    ASSERT_TRUE(message);
    EXPECT_EQ(stunLocalUfrag(*message), "srvU");
    RequestOptions noColon;
    noColon.username = "srvU";
    EXPECT_FALSE(stunLocalUfrag(*StunMessage::parse(Request(noColon).bytes)));
}
