// Room tokens (HS256 JWT): fixed vectors made with an independent implementation (PyJWT),
// every refusal, and minting.
#include <gtest/gtest.h>

#include "app/TokenCommand.hpp"
#include "auth/RoomTokenMinter.hpp"
#include "auth/RoomTokenVerifier.hpp"
#include "net/AccessGate.hpp"

#include <sstream>

using namespace pulsemeet;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::system_clock;
const std::string kSecret = "pulsemeet-test-secret";
const auto kIssued = Clock::time_point(std::chrono::seconds(1700000000));
const auto kExpiry = Clock::time_point(std::chrono::seconds(1700003600));

// PyJWT 2.6: jwt.encode({"room":"standup","name":"Ada","exp":1700003600,"iat":1700000000},
// kSecret, algorithm="HS256").
const std::string kValid =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJyb29tIjoic3RhbmR1cCIsIm5hbWUiOiJBZGEiLCJleHAiOjE3MDAwMDM2MDAsImlhdCI6MTcwMDAwMDAwMH0."
    "JY7CtTMt-x8AJh3PzroSTmtRJeSMSFqjaHS4ovjYaBI";
// The same secret, HS512.
const std::string kHs512 =
    "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJyb29tIjoic3RhbmR1cCIsImV4cCI6MTcwMDAwMzYwMH0."
    "vRaWeVkCfGDWpiOa1frx-RwQaC03SJWL_7e6hwtQy38GVzONwJsewuWERLibaWRVqinFF0rwh3JD1ncemRq17Q";
// alg "none", no signature.
const std::string kNone =
    "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJyb29tIjoic3RhbmR1cCIsImV4cCI6MTcwMDAwMzYwMH0.";

auth::TokenRefusal refusalOf(const std::string& token, Clock::time_point now = kIssued) {
    const auto result = auth::RoomTokenVerifier(kSecret).verify(token, now);
    EXPECT_TRUE(std::holds_alternative<auth::TokenRefusal>(result)) << token;
    return std::holds_alternative<auth::TokenRefusal>(result) ? std::get<auth::TokenRefusal>(result)
                                                              : auth::TokenRefusal::missing;
}

std::string minted(const std::string& room, const std::string& name,
                   std::chrono::seconds ttl = 3600s, Clock::time_point now = kIssued) {
    return auth::mintRoomToken(kSecret, {room, name, ttl}, now);
}

}  // namespace

TEST(RoomToken, AcceptsAFixedVectorAndReadsItsClaims) {
    const auto result = auth::RoomTokenVerifier(kSecret).verify(kValid, kIssued);
    ASSERT_TRUE(std::holds_alternative<auth::RoomGrant>(result));
    const auto& grant = std::get<auth::RoomGrant>(result);
    EXPECT_EQ(grant.room, "standup");
    EXPECT_EQ(grant.name, "Ada");
    EXPECT_EQ(grant.expiresAt, 1700003600);
}

TEST(RoomToken, ExpiryAndNotBeforeHaveThirtySecondsOfLeeway) {
    const auth::RoomTokenVerifier verifier(kSecret);
    EXPECT_TRUE(std::holds_alternative<auth::RoomGrant>(verifier.verify(kValid, kExpiry + 30s)));
    EXPECT_EQ(refusalOf(kValid, kExpiry + 31s), auth::TokenRefusal::expired);

    // PyJWT vector: room "*", exp 1700003600, nbf 1700000060 (a minute after kIssued).
    const std::string withNbf =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
        "eyJyb29tIjoiKiIsImV4cCI6MTcwMDAwMzYwMCwibmJmIjoxNzAwMDAwMDYwfQ."
        "N927IiwiVIUp7eFDuGHQyA8Y0zhNC_D8UkdqXnTDoOw";
    EXPECT_EQ(refusalOf(withNbf, kIssued), auth::TokenRefusal::notYetValid);
    EXPECT_TRUE(std::holds_alternative<auth::RoomGrant>(verifier.verify(withNbf, kIssued + 30s)));
}

TEST(RoomToken, RefusesOtherAlgorithmsNoneAndBadSignatures) {
    EXPECT_EQ(refusalOf(kHs512), auth::TokenRefusal::wrongAlgorithm);
    EXPECT_EQ(refusalOf(kNone), auth::TokenRefusal::wrongAlgorithm);
    // "none" with a signature glued on is still "none".
    EXPECT_EQ(refusalOf(kNone + "JY7CtTMt-x8AJh3PzroSTmtRJeSMSFqjaHS4ovjYaBI"),
              auth::TokenRefusal::wrongAlgorithm);
    // Claims widened to any room, signature kept: the signature no longer matches.
    const auto firstDot = kValid.find('.');
    const auto secondDot = kValid.find('.', firstDot + 1);
    const std::string widenedPayload = "eyJyb29tIjoiKiIsIm5hbWUiOiJBZGEiLCJleHAiOjE3MDAwMDM2MDB9";
    EXPECT_EQ(refusalOf(kValid.substr(0, firstDot + 1) + widenedPayload + kValid.substr(secondDot)),
              auth::TokenRefusal::badSignature);
    // Signed with another secret.
    EXPECT_EQ(refusalOf(auth::mintRoomToken("another-secret", {"standup", "", 3600s}, kIssued)),
              auth::TokenRefusal::badSignature);
    // Signature stripped.
    EXPECT_EQ(refusalOf(kValid.substr(0, secondDot + 1)), auth::TokenRefusal::badSignature);
}

TEST(RoomToken, RefusesMissingMalformedAndIncompleteTokens) {
    EXPECT_EQ(refusalOf(""), auth::TokenRefusal::missing);
    EXPECT_EQ(refusalOf("not-a-token"), auth::TokenRefusal::malformed);
    EXPECT_EQ(refusalOf("a.b.c"), auth::TokenRefusal::malformed);
    // Valid HS256 signatures over claims without exp, without room, and with a non-string name
    // (PyJWT vectors).
    const std::string noExpiry =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb29tIjoic3RhbmR1cCJ9."
        "7Drx_yrUQYOWJDkiJbw0Sc2Xd357DCEdr8Sy18j8XvE";
    const std::string noRoom =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE3MDAwMDM2MDB9."
        "kTNX5Jyz-0pdhNBJEyFIi-sckmr_5QesFRsjq3F30r4";
    const std::string numericName =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
        "eyJyb29tIjoic3RhbmR1cCIsImV4cCI6MTcwMDAwMzYwMCwibmFtZSI6N30."
        "9cYr2XuSlAoo4H8jagKxUOzNRUv2OQDV5fyD0W4ulIA";
    const std::string absurdExpiry =  // exp 1e300
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb29tIjoic3RhbmR1cCIsImV4cCI6MWUrMzAwfQ."
        "kMyWgXfeuAhFoazD_SdGQTCZPIgSJwlvPblm8-Mx_5s";
    EXPECT_EQ(refusalOf(absurdExpiry), auth::TokenRefusal::badClaims);
    EXPECT_EQ(refusalOf(noExpiry), auth::TokenRefusal::badClaims);
    EXPECT_EQ(refusalOf(noRoom), auth::TokenRefusal::badClaims);
    EXPECT_EQ(refusalOf(numericName), auth::TokenRefusal::badClaims);
    EXPECT_EQ(refusalOf(minted("standup", std::string(65, 'x'))), auth::TokenRefusal::badClaims);
}

TEST(RoomToken, MintedTokensVerifyWithTheirClaims) {
    const std::string token = minted("standup", "Grace", 600s);
    const auto result = auth::RoomTokenVerifier(kSecret).verify(token, kIssued + 60s);
    ASSERT_TRUE(std::holds_alternative<auth::RoomGrant>(result));
    EXPECT_EQ(std::get<auth::RoomGrant>(result).room, "standup");
    EXPECT_EQ(std::get<auth::RoomGrant>(result).name, "Grace");
    EXPECT_EQ(std::get<auth::RoomGrant>(result).expiresAt, 1700000600);
    EXPECT_EQ(refusalOf(token, kIssued + 631s), auth::TokenRefusal::expired);
    const auto any = auth::RoomTokenVerifier(kSecret).verify(minted("*", ""), kIssued);
    ASSERT_TRUE(std::holds_alternative<auth::RoomGrant>(any));
    EXPECT_EQ(std::get<auth::RoomGrant>(any).room, "*");
    EXPECT_EQ(std::get<auth::RoomGrant>(any).name, "");
}

TEST(RoomToken, RefusalCodesTellTheClientOnlyWhatItCanActOn) {
    EXPECT_EQ(auth::refusalCode(auth::TokenRefusal::expired), "token-expired");
    EXPECT_EQ(auth::refusalCode(auth::TokenRefusal::notYetValid), "token-not-yet-valid");
    EXPECT_EQ(auth::refusalCode(auth::TokenRefusal::missing), "token-missing");
    EXPECT_EQ(auth::refusalCode(auth::TokenRefusal::badSignature), "token-invalid");
    EXPECT_EQ(auth::refusalCode(auth::TokenRefusal::wrongAlgorithm), "token-invalid");
}

TEST(AccessGate, ModesAndAdmissions) {
    const net::AccessGate open("", "");
    EXPECT_TRUE(open.check({"", "/ws", ""}).admission.has_value());

    const net::AccessGate shared("s3cret", "");
    EXPECT_EQ(shared.check({"", "/ws", ""}).refusal.code, "token-missing");
    EXPECT_EQ(shared.check({"", "/ws?token=nope", ""}).refusal.code, "token-invalid");
    EXPECT_TRUE(shared.check({"Bearer s3cret", "/ws", ""}).admission.has_value());

    const net::AccessGate jwt("", kSecret);
    const auto byQuery = jwt.check({"", "/ws?token=" + kValid, ""}, kIssued);
    ASSERT_TRUE(byQuery.admission.has_value());
    EXPECT_EQ(byQuery.admission->room, "standup");
    EXPECT_EQ(byQuery.admission->name, "Ada");
    EXPECT_TRUE(jwt.check({"Bearer " + kValid, "/ws", ""}, kIssued).admission.has_value());
    EXPECT_TRUE(
        jwt.check({"", "/ws", "pulsemeet, bearer." + kValid}, kIssued).admission.has_value());
    EXPECT_EQ(jwt.check({"", "/ws", ""}, kIssued).refusal.code, "token-missing");
    EXPECT_EQ(jwt.check({"", "/ws?token=" + kValid, ""}, kExpiry + 1h).refusal.code,
              "token-expired");
    EXPECT_EQ(jwt.check({"", "/ws?token=" + kNone, ""}, kIssued).refusal.code, "token-invalid");
}

TEST(TokenCommand, TtlParsing) {
    EXPECT_EQ(app::parseTtl("3600"), 3600s);
    EXPECT_EQ(app::parseTtl("90s"), 90s);
    EXPECT_EQ(app::parseTtl("30m"), 1800s);
    EXPECT_EQ(app::parseTtl("1h"), 3600s);
    EXPECT_EQ(app::parseTtl("7d"), 7 * 86400s);
    for (const char* bad : {"", "h", "0", "-5m", "1.5h", "1w", "400d", "1hh"}) {
        EXPECT_FALSE(app::parseTtl(bad).has_value()) << bad;
    }
}

TEST(TokenCommand, MintsWithTheSecretFromTheEnvironmentOrRefuses) {
    std::ostringstream out;
    std::ostringstream err;
    const config::Environment environment{{"JWT_SECRET", kSecret}};
    ASSERT_EQ(app::runTokenCommand(
                  {"--env-file", "/dev/null", "--room", "standup", "--name", "Ada", "--ttl", "2h"},
                  environment, out, err),
              0)
        << err.str();
    std::string token = out.str();
    ASSERT_FALSE(token.empty());
    token.pop_back();  // newline
    const auto result = auth::RoomTokenVerifier(kSecret).verify(token);
    ASSERT_TRUE(std::holds_alternative<auth::RoomGrant>(result));
    EXPECT_EQ(std::get<auth::RoomGrant>(result).name, "Ada");

    std::ostringstream noOut;
    std::ostringstream noErr;
    EXPECT_EQ(
        app::runTokenCommand({"--env-file", "/dev/null", "--room", "standup"}, {}, noOut, noErr),
        2);
    EXPECT_NE(noErr.str().find("JWT_SECRET"), std::string::npos);
    std::ostringstream badErr;
    EXPECT_EQ(app::runTokenCommand({"--room", "a b"}, environment, noOut, badErr), 2);
    EXPECT_NE(badErr.str().find("--room"), std::string::npos);
    EXPECT_EQ(app::runTokenCommand({"--ttl", "soon"}, environment, noOut, badErr), 2);
    EXPECT_NE(badErr.str().find("--ttl"), std::string::npos);
}
