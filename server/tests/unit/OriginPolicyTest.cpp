// Which pages may open /ws (issue 14: the check trusted the Host header, so a DNS-rebinding
// page passed it), and the origin parser the configuration and the check share.
#include <gtest/gtest.h>

#include "config/Origin.hpp"
#include "net/OriginPolicy.hpp"

using namespace pulsemeet;

TEST(Origin, ParsesSchemeHostAndPortAndLeavesOutDefaultPorts) {
    EXPECT_EQ(config::parseOrigin("https://Meet.Example/")->text(), "https://meet.example");
    EXPECT_EQ(config::parseOrigin("https://meet.example:443")->text(), "https://meet.example");
    EXPECT_EQ(config::parseOrigin("http://meet.example:80")->text(), "http://meet.example");
    EXPECT_EQ(config::parseOrigin("HTTP://meet.example:8443")->text(), "http://meet.example:8443");
    EXPECT_EQ(config::parseOrigin("http://[::1]:8080")->text(), "http://[::1]:8080");
    EXPECT_EQ(config::parseOrigin("http://10.0.0.5")->port, 80);
    for (const char* bad :
         {"", "null", "meet.example", "https://", "https://meet.example/x",
          "https://meet.example?x", "https://user@meet.example", "https://meet.example:0",
          "https://meet.example:65536", "https://meet.example:", "https://me et.example",
          "https://meet.example#f", "app://desktop", "1http://x"}) {
        EXPECT_FALSE(config::parseOrigin(bad)) << bad;
    }
    EXPECT_EQ(config::parseOrigin("app://desktop:1")->text(), "app://desktop:1");
}

TEST(OriginPolicy, DnsRebindingOriginIsRefusedWhenAListIsSet) {
    // evil.example now resolves to the server: the browser sends both as the attacker's name.
    const net::OriginPolicy policy({"https://meet.example"});
    EXPECT_FALSE(policy.allows("http://evil.example", "evil.example"));
    EXPECT_FALSE(policy.allows("https://evil.example", "evil.example"));
    EXPECT_FALSE(policy.allows("http://10.0.0.5:8080", "10.0.0.5:8080"));
}

TEST(OriginPolicy, ListedOriginsMatchInSchemeHostAndPort) {
    const net::OriginPolicy policy({"https://Meet.Example/", "http://localhost:5173"});
    EXPECT_TRUE(policy.allows("https://meet.example", "other:8080"));
    EXPECT_TRUE(policy.allows("https://meet.example:443", "x")) << "the default port spelled out";
    EXPECT_TRUE(policy.allows("http://localhost:5173", "localhost:8080"));
    EXPECT_FALSE(policy.allows("http://meet.example", "meet.example")) << "wrong scheme";
    EXPECT_FALSE(policy.allows("https://meet.example:8443", "meet.example:8443")) << "wrong port";
    EXPECT_FALSE(policy.allows("http://localhost:5174", "localhost:5174")) << "wrong port";
    EXPECT_FALSE(policy.allows("https://meet.example.evil", "x"));
    EXPECT_FALSE(policy.allows("https://sub.meet.example", "x"));
    EXPECT_FALSE(policy.allows("null", "x")) << "sandboxed frames and file: pages";
    EXPECT_FALSE(policy.allows("https://meet.example/path", "x"));
    EXPECT_TRUE(policy.allows("", "x")) << "non-browser clients send no Origin";
}

TEST(OriginPolicy, PublicUrlIsAddedToTheList) {
    const net::OriginPolicy alone({}, "https://meet.example.com/");
    EXPECT_TRUE(alone.allows("https://meet.example.com", "127.0.0.1:8080"));
    EXPECT_FALSE(alone.allows("http://127.0.0.1:8080", "127.0.0.1:8080"))
        << "with PUBLIC_URL the list is no longer empty: no same-host rule";
    const net::OriginPolicy both({"https://other.example"}, "https://meet.example.com");
    EXPECT_TRUE(both.allows("https://meet.example.com", "x"));
    EXPECT_TRUE(both.allows("https://other.example", "x"));
    EXPECT_FALSE(both.allows("https://third.example", "third.example"));
}

TEST(OriginPolicy, EmptyListKeepsTheSameHostRule) {
    const net::OriginPolicy policy({});
    EXPECT_TRUE(policy.allows("http://localhost:8080", "localhost:8080"));
    EXPECT_TRUE(policy.allows("https://meet.example", "meet.example"));
    EXPECT_TRUE(policy.allows("https://meet.example", "Meet.Example:443"));
    EXPECT_TRUE(policy.allows("http://meet.example", "meet.example"))
        << "behind a TLS-terminating proxy the scheme is not the server's to know";
    EXPECT_FALSE(policy.allows("http://localhost:9999", "localhost:8080"));
    EXPECT_FALSE(policy.allows("https://evil.example", "meet.example"));
    EXPECT_FALSE(policy.allows("null", "meet.example"));
    EXPECT_FALSE(policy.allows("http://localhost:8080", ""));
}

TEST(OriginPolicy, StarAllowsAny) {
    EXPECT_TRUE(net::OriginPolicy({"*"}).allows("https://any.example", "x"));
    EXPECT_TRUE(net::OriginPolicy({"https://a.example", "*"}).allows("http://b.example", "x"));
}

TEST(OriginPolicy, AListOfUnparsableEntriesFailsClosed) {
    const net::OriginPolicy policy({"meet.example"});
    EXPECT_FALSE(policy.allows("http://meet.example", "meet.example"));
}
