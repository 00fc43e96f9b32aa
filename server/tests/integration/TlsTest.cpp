// TLS_CERT_FILE + TLS_KEY_FILE: the same port serves HTTPS and WSS; bad files stop start-up.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "ChildProcess.hpp"
#include "HttpsClient.hpp"
#include "ServerProcess.hpp"
#include "WsClient.hpp"

using namespace pulsemeet::testing;

namespace {

// A self-signed certificate for 127.0.0.1, made by openssl for this test only.
struct TestCertificate {
    TestCertificate() {
        const auto result = runProgram(
            {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-days", "1", "-subj", "/CN=pulsemeet-test", "-addext",
             "subjectAltName=IP:127.0.0.1", "-keyout", key.string(), "-out", cert.string()});
        if (result.exitCode != 0) throw std::runtime_error("openssl req: " + result.output);
    }

    TempDir dir;
    std::filesystem::path cert = dir.path() / "cert.pem";
    std::filesystem::path key = dir.path() / "key.pem";
};

Env tlsEnv(const TestCertificate& certificate) {
    return {{"TLS_CERT_FILE", certificate.cert.string()},
            {"TLS_KEY_FILE", certificate.key.string()}};
}

}  // namespace

TEST(Tls, WssClientsJoinAndRelayAndHttpsServesTheSamePort) {
    const TestCertificate certificate;
    ServerProcess server(tlsEnv(certificate));
    EXPECT_TRUE(server.waitForLine("\"tls\":true"));

    WsClient::Options options;
    options.tlsCaFile = certificate.cert.string();
    WsClient alice(server.port(), options), bob(server.port(), options);
    const auto aliceId = std::string(alice.join("tls-room")["peerId"].as_string());
    const auto bobId = std::string(bob.join("tls-room")["peerId"].as_string());
    alice.send(boost::json::object{
        {"type", "offer"}, {"targetId", bobId}, {"data", {{"type", "offer"}, {"sdp", "v=0\r\n"}}}});
    EXPECT_EQ(bob.nextOfType("offer")["peerId"].as_string(), aliceId);

    const auto health = httpsGet(server.port(), "/healthz", certificate.cert.string());
    EXPECT_EQ(health.status, 200);
    EXPECT_EQ(health.body, R"({"status":"ok"})");
    const auto metrics = httpsGet(server.port(), "/metrics", certificate.cert.string());
    EXPECT_NE(metrics.body.find("pulsemeet_joins_total 2\n"), std::string::npos);

    // Closing over TLS is counted like any other client close.
    bob.closeNormally();
    EXPECT_EQ(alice.nextOfType("peer-left")["peerId"].as_string(), bobId);
}

TEST(Tls, PlainHttpIsNotServedOnATlsPort) {
    const TestCertificate certificate;
    ServerProcess server(tlsEnv(certificate));
    EXPECT_ANY_THROW(httpGet(server.port(), "/healthz"));
    // ...and the server is still fine afterwards.
    EXPECT_EQ(httpsGet(server.port(), "/healthz", certificate.cert.string()).status, 200);
}

TEST(Tls, BadFilesStopStartUpWithOneLineNamingTheVariable) {
    const TestCertificate certificate;
    const TestCertificate other;
    TempDir dir;
    const auto garbage = dir.write("garbage.pem", "not a certificate\n");

    struct Case {
        Env env;
        std::string expected;
    };
    const std::vector<Case> cases = {
        {{{"TLS_CERT_FILE", "/nonexistent/cert.pem"}, {"TLS_KEY_FILE", certificate.key.string()}},
         "TLS_CERT_FILE=/nonexistent/cert.pem cannot be read"},
        {{{"TLS_CERT_FILE", certificate.cert.string()}, {"TLS_KEY_FILE", "/nonexistent/key.pem"}},
         "TLS_KEY_FILE=/nonexistent/key.pem cannot be read"},
        {{{"TLS_CERT_FILE", garbage.string()}, {"TLS_KEY_FILE", certificate.key.string()}},
         "TLS_CERT_FILE=" + garbage.string() + " is not a PEM certificate chain"},
        {{{"TLS_CERT_FILE", certificate.cert.string()}, {"TLS_KEY_FILE", garbage.string()}},
         "TLS_KEY_FILE=" + garbage.string() + " is not a PEM private key"},
        {{{"TLS_CERT_FILE", certificate.cert.string()}, {"TLS_KEY_FILE", other.key.string()}},
         "TLS_KEY_FILE=" + other.key.string() +
             " does not belong to the certificate in TLS_CERT_FILE=" + certificate.cert.string()},
        {{{"TLS_CERT_FILE", certificate.cert.string()}}, "TLS_CERT_FILE is set but TLS_KEY_FILE"},
        {{{"TLS_KEY_FILE", certificate.key.string()}}, "TLS_KEY_FILE is set but TLS_CERT_FILE"},
    };
    for (const auto& [env, expected] : cases) {
        const auto result = runToCompletion(env, {});
        EXPECT_EQ(result.exitCode, 2) << expected;
        // One line, and nothing before it: TLS is loaded before anything else happens.
        EXPECT_EQ(result.output.rfind("pulsemeet: " + expected, 0), 0u) << result.output;
        EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << result.output;
    }
}

// Issue 14: with TLS on, every response tells the browser to use HTTPS for this host for a year
// (no includeSubDomains: see net/SecurityHeaders.hpp); never over plain HTTP.
TEST(Tls, EveryHttpsResponseCarriesHstsAndPlainHttpNone) {
    const TestCertificate certificate;
    ServerProcess server(tlsEnv(certificate));
    const std::string ca = certificate.cert.string();
    const std::vector<std::pair<std::string, std::map<std::string, std::string>>> requests = {
        {"/", {}},
        {"/r/some-room", {}},
        {"/healthz", {}},
        {"/readyz", {}},
        {"/metrics", {}},
        {"/ice-servers", {}},
        {"/ws", {}},                                     // 426: not an upgrade
        {"/metrics", {{"X-Forwarded-For", "1.2.3.4"}}},  // 403 from the metrics check
        {"/ws",
         {{"Upgrade", "websocket"},
          {"Connection", "upgrade"},
          {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
          {"Sec-WebSocket-Version", "13"},
          {"Origin", "https://elsewhere.example"}}},  // 403 from the origin check
    };
    std::set<int> statuses;
    for (const auto& [target, headers] : requests) {
        const auto response = httpsGet(server.port(), target, ca, headers);
        statuses.insert(response.status);
        ASSERT_TRUE(response.headers.contains("strict-transport-security"))
            << target << " " << response.status;
        EXPECT_EQ(response.headers.at("strict-transport-security"), "max-age=31536000") << target;
    }
    EXPECT_EQ(statuses, (std::set<int>{200, 403, 426})) << "answers from each part of the server";

    ServerProcess plain;
    for (const char* target : {"/", "/healthz", "/metrics", "/ws", "/nope"}) {
        EXPECT_FALSE(httpGet(plain.port(), target).headers.contains("strict-transport-security"))
            << target;
    }
}
