// The small pieces: limiter, upgrade credentials, static files, resume tokens,
// metrics exposition and the logger.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "auth/UpgradeAuth.hpp"
#include "net/HttpRateLimiter.hpp"
#include "net/StaticFiles.hpp"
#include "obs/Logger.hpp"
#include "obs/Metrics.hpp"
#include "signaling/ResumeTokens.hpp"
#include "signaling/TokenBucket.hpp"
#include "wire/PeerId.hpp"

using namespace pulsemeet;
using namespace std::chrono_literals;

TEST(TokenBucket, BurstThenSteadyRate) {
    const auto start = std::chrono::steady_clock::now();
    signaling::TokenBucket bucket(10, 20, start);
    int taken = 0;
    for (int i = 0; i < 100; ++i) taken += bucket.tryTake(start) ? 1 : 0;
    EXPECT_EQ(taken, 20);
    EXPECT_FALSE(bucket.tryTake(start + 50ms));
    EXPECT_TRUE(bucket.tryTake(start + 100ms));
    EXPECT_FALSE(bucket.tryTake(start + 100ms));
    signaling::TokenBucket unlimited(0, 0, start);
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(unlimited.tryTake(start));
}

TEST(HttpRateLimiter, PerIpWindows) {
    net::HttpRateLimiter limiter(3);
    const auto t = std::chrono::steady_clock::now();
    for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.allow("1.1.1.1", t), 0);
    EXPECT_EQ(limiter.allow("1.1.1.1", t + 10s), 50);
    EXPECT_EQ(limiter.allow("2.2.2.2", t), 0) << "other addresses have their own window";
    EXPECT_EQ(limiter.allow("1.1.1.1", t + 61s), 0) << "a new window";
    EXPECT_EQ(net::HttpRateLimiter(0).allow("x", t), 0) << "0 disables";
}

TEST(UpgradeAuth, TokenFromHeaderQueryOrSubprotocol) {
    EXPECT_EQ(auth::presentedToken({"Bearer abc", "/ws", ""}), "abc");
    EXPECT_EQ(auth::presentedToken({"bearer  abc ", "/ws", ""}), "abc");
    EXPECT_EQ(auth::presentedToken({"", "/ws?room=x&token=a%2Bb", ""}), "a+b");
    EXPECT_EQ(auth::presentedToken({"", "/ws", "pulsemeet, bearer.tok"}), "tok");
    EXPECT_FALSE(auth::presentedToken({"", "/ws", "pulsemeet"}).has_value());
    EXPECT_FALSE(auth::presentedToken({"Basic xyz", "/ws?tokens=1", ""}).has_value());
    EXPECT_EQ(auth::chosenSubprotocol("pulsemeet, bearer.tok", "tok"), "pulsemeet");
    EXPECT_EQ(auth::chosenSubprotocol("", "tok"), "");
    EXPECT_TRUE(auth::secretsEqual("same", "same"));
    EXPECT_FALSE(auth::secretsEqual("same", "samf"));
    EXPECT_FALSE(auth::secretsEqual("same", "sam"));
    EXPECT_EQ(auth::queryParameter("/ws?a=1&b=two%20words#frag", "b"), "two words");
}

TEST(StaticFiles, ResolvesFilesAppRoutesAndRefusesEscapes) {
    const auto root = std::filesystem::temp_directory_path() / "pulsemeet-static-unit";
    std::filesystem::create_directories(root / "assets");
    std::ofstream(root / "index.html") << "x";
    std::ofstream(root / "assets" / "a.css") << "x";
    std::ofstream(root / "favicon.svg") << "x";
    const net::StaticFiles files(root);
    const auto real = std::filesystem::canonical(root);
    EXPECT_EQ(files.resolve("/")->file, real / "index.html");
    EXPECT_EQ(files.resolve("/r/my-room")->file, real / "index.html");
    EXPECT_EQ(files.resolve("/assets/a.css")->cacheControl, "public, max-age=31536000, immutable");
    EXPECT_EQ(files.resolve("/favicon.svg")->contentType, "image/svg+xml");
    EXPECT_FALSE(files.resolve("/assets/none.js").has_value());
    EXPECT_FALSE(files.resolve("/../secret").has_value());
    EXPECT_FALSE(files.resolve("/assets/%2e%2e/%2e%2e/x.txt").has_value());
    EXPECT_FALSE(files.resolve("/a%00b").has_value());
    std::filesystem::remove_all(root);
    const net::StaticFiles missing("/nonexistent-dir");
    EXPECT_FALSE(missing.hasClient());
    EXPECT_FALSE(missing.resolve("/")->inlineBody.empty());
}

// Every spelling of "a path outside the folder" that a review or a scanner tries: refused by
// name, before any file is looked at.
TEST(StaticFiles, RequestNamesRefuseEveryWayOut) {
    EXPECT_EQ(net::staticRequestName("/"), "");
    EXPECT_EQ(net::staticRequestName("/assets/a.js?v=1#x"), "assets/a.js");
    EXPECT_EQ(net::staticRequestName("/r/my%20room"), "r/my room");
    for (const char* attack : {"//etc/passwd",
                               "///etc/passwd",
                               "/%2Fetc%2Fpasswd",
                               "/%2fetc/passwd",
                               "/%2Fetc/passwd",
                               "/%252Fetc%252Fpasswd",
                               "/r/..//etc/passwd",
                               "/assets/..%2F..",
                               "/assets/..%2f..%2f.env",
                               "/..",
                               "/./index.html",
                               "/assets/./a.js",
                               "/assets//a.js",
                               "/a/",
                               "/..\\etc\\passwd",
                               "/%5C..%5Cetc",
                               "/a%00.js",
                               "/a%0a.js",
                               "/%",
                               "/%2",
                               "/%zz",
                               "etc/passwd",
                               "",
                               "*",
                               "/%2e%2e/%2e%2e/etc/passwd",
                               "/assets/%2e/a.js",
                               "/a\x01b"}) {
        EXPECT_FALSE(net::staticRequestName(attack).has_value()) << attack;
    }
}

// The folder's real contents decide what is served: a symlink inside it that leads out, a
// hidden file, and anything reached through an absolute or traversing path are never served,
// while a symlink that stays inside is.
TEST(StaticFiles, ServesOnlyFilesWhoseRealPathIsInsideTheFolder) {
    namespace fs = std::filesystem;
    const auto base = fs::temp_directory_path() / "pulsemeet-static-escape";
    fs::remove_all(base);
    const auto root = base / "dist";
    fs::create_directories(root / "assets");
    fs::create_directories(base / "outside");
    std::ofstream(root / "index.html") << "index";
    std::ofstream(root / "assets" / "app.js") << "app";
    std::ofstream(root / ".env") << "JWT_SECRET=inside";
    std::ofstream(base / "secret.env") << "JWT_SECRET=outside";
    std::ofstream(base / "outside" / "key.pem") << "KEY";
    fs::create_symlink(base / "secret.env", root / "leak.env");
    fs::create_symlink(base / "outside", root / "outdir");
    fs::create_symlink(root / "assets" / "app.js", root / "alias.js");
    const net::StaticFiles files(root);
    EXPECT_TRUE(files.hasClient());
    EXPECT_EQ(files.fileCount(), 3u) << "index.html, assets/app.js, alias.js";
    EXPECT_TRUE(files.resolve("/alias.js").has_value());
    const auto secret = (base / "secret.env").string();
    for (const std::string& attack : std::vector<std::string>{
             "/leak.env", "/outdir/key.pem", "/.env", "/" + secret, "/" + secret.substr(1),
             "//" + secret.substr(1), "/%2F" + secret.substr(1), "/r/..//" + secret.substr(1),
             "/assets/..%2F..%2Fsecret.env", "/../secret.env", "/assets/../../secret.env"}) {
        const auto asset = files.resolve(attack);
        if (!asset) continue;
        // Only the SPA fallback may answer (paths without an extension), never the file.
        EXPECT_TRUE(asset->file.empty() || asset->file == fs::canonical(root / "index.html"))
            << attack << " -> " << asset->file;
    }
    fs::remove_all(base);
}

TEST(ResumeTokens, RoundTripExpiryAndForgery) {
    const signaling::ResumeTokens tokens("secret", 60s, "issuer-a");
    const auto now = std::chrono::system_clock::now();
    const auto issued = tokens.issue("room-1", "abcdef", 0, now);
    const auto claim = tokens.verify(issued.token, now + 30s);
    ASSERT_TRUE(claim.has_value());
    EXPECT_EQ(claim->roomId, "room-1");
    EXPECT_EQ(claim->peerId, "abcdef");
    EXPECT_EQ(claim->issuer, "issuer-a");
    EXPECT_EQ(claim->nonce, issued.nonce);
    EXPECT_EQ(claim->expiresAt, signaling::unixSeconds(now + 60s));
    EXPECT_FALSE(tokens.verify(issued.token, now + 61s).has_value()) << "expired";
    std::string forged = issued.token;
    forged.replace(0, 6, "room-2");
    EXPECT_FALSE(tokens.verify(forged, now).has_value()) << "tampered";
    EXPECT_FALSE(signaling::ResumeTokens("other", 60s).verify(issued.token, now).has_value());
    EXPECT_FALSE(tokens.verify("garbage", now).has_value());
    EXPECT_FALSE(tokens.verify("a.b.c.d.e.f.g", now).has_value());
    const auto later = signaling::ResumeTokens("secret", 60s).verify(issued.token, now);
    ASSERT_TRUE(later.has_value()) << "same secret, new process";
    EXPECT_EQ(later->issuer, "issuer-a") << "the token still names the process that issued it";
}

TEST(ResumeTokens, EveryIssueIsANewTokenAndNoneOutlivesTheRoomToken) {
    const signaling::ResumeTokens tokens("secret", 3600s);
    const auto now = std::chrono::system_clock::now();
    const auto first = tokens.issue("room-1", "abcdef", 0, now);
    const auto second = tokens.issue("room-1", "abcdef", 0, now);
    EXPECT_NE(first.nonce, second.nonce);
    EXPECT_NE(first.token, second.token);
    EXPECT_NE(tokens.issuer(), signaling::ResumeTokens("secret", 3600s).issuer())
        << "each process names itself at random";
    // The connection's room token expires in 90 s: so does its resume token.
    const auto roomTokenExpiry = signaling::unixSeconds(now + 90s);
    const auto capped = tokens.issue("room-1", "abcdef", roomTokenExpiry, now);
    EXPECT_EQ(capped.expiresAt, roomTokenExpiry);
    EXPECT_TRUE(tokens.verify(capped.token, now + 89s).has_value());
    EXPECT_FALSE(tokens.verify(capped.token, now + 90s).has_value());
    // A room token that outlives the lifetime changes nothing.
    EXPECT_EQ(tokens.issue("room-1", "abcdef", roomTokenExpiry + 7200, now).expiresAt,
              signaling::unixSeconds(now + 3600s));
}

TEST(PeerId, UniqueHex) {
    const auto a = wire::newPeerId();
    EXPECT_EQ(a.size(), 32u);
    EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_NE(a, wire::newPeerId());
}

TEST(Metrics, PrometheusTextFormat) {
    obs::Registry registry;
    registry.counter("pm_things_total", "Things", {{"kind", "a\"b"}}).inc(3);
    registry.gauge("pm_open", "Open").set(-2);
    auto& histogram = registry.histogram("pm_latency_seconds", "Latency", {0.1, 1});
    histogram.observe(0.05);
    histogram.observe(0.5);
    histogram.observe(5);
    const auto text = registry.exposition();
    EXPECT_NE(text.find("# TYPE pm_things_total counter\npm_things_total{kind=\"a\\\"b\"} 3\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("pm_open -2\n"), std::string::npos);
    EXPECT_NE(text.find("pm_latency_seconds_bucket{le=\"0.1\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("pm_latency_seconds_bucket{le=\"1\"} 2\n"), std::string::npos);
    EXPECT_NE(text.find("pm_latency_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
    EXPECT_NE(text.find("pm_latency_seconds_sum 5.55\n"), std::string::npos);
    EXPECT_NE(text.find("pm_latency_seconds_count 3\n"), std::string::npos);
    EXPECT_THROW(registry.gauge("pm_things_total", "clash"), std::logic_error);
}

TEST(Logger, JsonAndTextLines) {
    const obs::Logger json(config::LogLevel::info, config::LogFormat::json);
    const auto line = json.render(config::LogLevel::warn, "slow \"peer\"",
                                  {{"peer", "p1"}, {"bytes", 42}, {"ok", true}});
    EXPECT_EQ(line.find("{\"time\":\""), 0u);
    EXPECT_NE(
        line.find(R"("level":"warn","msg":"slow \"peer\"","peer":"p1","bytes":42,"ok":true})"),
        std::string::npos)
        << line;
    const obs::Logger text(config::LogLevel::info, config::LogFormat::text);
    EXPECT_NE(text.render(config::LogLevel::info, "hello", {{"room", "r"}})
                  .find(" info hello room=\"r\""),
              std::string::npos);
    EXPECT_FALSE(json.enabled(config::LogLevel::debug));
    EXPECT_TRUE(json.enabled(config::LogLevel::error));
}
