// Who may read /metrics (issue 14: it was public): the address rule over many addresses, and
// the token rule. The integration tests cover the wiring (MetricsAccessTest in integration/).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "net/MetricsAccess.hpp"

using namespace pulsemeet::net;
using boost::asio::ip::make_address;

TEST(MetricsAccess, PrivateNetworkAddresses) {
    for (const char* address :
         {"127.0.0.1", "127.255.255.254", "10.0.0.1", "10.255.255.255", "172.16.0.1",
          "172.31.255.255", "192.168.0.1", "192.168.255.255", "::1", "fc00::1", "fd12:3456::1",
          "fe80::1", "febf::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:172.20.1.1",
          "::ffff:192.168.1.1"}) {
        EXPECT_TRUE(isPrivateNetworkAddress(make_address(address))) << address;
    }
}

TEST(MetricsAccess, PublicAndTrickyAddresses) {
    for (const char* address : {"8.8.8.8",
                                "1.1.1.1",
                                "0.0.0.0",
                                "255.255.255.255",
                                "169.254.169.254",
                                "169.254.0.1",
                                "100.64.0.1",
                                "172.15.255.255",
                                "172.32.0.1",
                                "192.167.255.255",
                                "192.169.0.1",
                                "11.0.0.1",
                                "126.255.255.255",
                                "128.0.0.1",
                                "9.255.255.255",
                                "::",
                                "::ffff:8.8.8.8",
                                "::ffff:0.0.0.0",
                                "::ffff:169.254.169.254",
                                "::127.0.0.1",
                                "::10.0.0.1",
                                "64:ff9b::a00:1",
                                "2002:a00:1::",
                                "2001:db8::1",
                                "2606:4700::1111",
                                "fec0::1",
                                "ff02::1",
                                "fb00::1",
                                "fe00::1"}) {
        EXPECT_FALSE(isPrivateNetworkAddress(make_address(address))) << address;
    }
}

TEST(MetricsAccess, WithoutATokenOnlyPrivatePeersThatAreNotProxies) {
    EXPECT_EQ(metricsVerdict({make_address("127.0.0.1"), "", false}, ""), MetricsVerdict::allowed);
    EXPECT_EQ(metricsVerdict({make_address("10.1.2.3"), "", false}, ""), MetricsVerdict::allowed);
    EXPECT_EQ(metricsVerdict({make_address("203.0.113.9"), "", false}, ""),
              MetricsVerdict::forbidden);
    EXPECT_EQ(metricsVerdict({make_address("::ffff:8.8.8.8"), "", false}, ""),
              MetricsVerdict::forbidden);
    // A same-machine proxy relays everyone from 127.0.0.1; its forwarding header gives it away.
    EXPECT_EQ(metricsVerdict({make_address("127.0.0.1"), "", true}, ""), MetricsVerdict::forbidden);
    // A bearer header is no way in when no token is configured.
    EXPECT_EQ(metricsVerdict({make_address("203.0.113.9"), "Bearer ", false}, ""),
              MetricsVerdict::forbidden);
}

TEST(MetricsAccess, WithATokenEveryoneNeedsIt) {
    const std::string token = "0123456789abcdef-metrics";
    for (const char* address : {"203.0.113.9", "127.0.0.1", "::1", "10.0.0.1"}) {
        for (const bool proxied : {false, true}) {
            const auto peer = make_address(address);
            EXPECT_EQ(metricsVerdict({peer, "Bearer " + token, proxied}, token),
                      MetricsVerdict::allowed)
                << address;
            EXPECT_EQ(metricsVerdict({peer, "bearer  " + token + " ", proxied}, token),
                      MetricsVerdict::allowed)
                << address;
            EXPECT_EQ(metricsVerdict({peer, "", proxied}, token), MetricsVerdict::unauthorized)
                << address;
            for (const std::string& wrong : std::vector<std::string>{
                     "Bearer " + token + "x", "Bearer " + token.substr(1), "Bearer ",
                     "Basic " + token, token, "Bearer 0123456789abcdef-metricS"}) {
                EXPECT_EQ(metricsVerdict({peer, wrong, proxied}, token),
                          MetricsVerdict::unauthorized)
                    << address << " " << wrong;
            }
        }
    }
}
