#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pulsemeet::bench {

// Command-line settings of one load-generator run. Every scenario reads the subset it needs.
struct Options {
    std::string mode;               // relay, join, idle, churn
    std::string server = "server";  // label copied into the report
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;
    // A second instance sharing rooms with the first (0: none). Odd-indexed clients connect to
    // it, so with an even room size every relay in the ring crosses from one instance to the
    // other (through the cluster bus).
    std::uint16_t port2 = 0;
    int pid = 0;  // server process, for CPU and RSS from /proc (0: not measured)
    // More processes whose CPU the relay mode reports (second instance, redis-server).
    struct Watched {
        std::string label;
        int pid = 0;
    };
    std::vector<Watched> watched;

    int connections = 1000;
    int roomSize = 4;
    double rate = 20000;  // relay: aggregate messages/s (0: saturation); join: joins/s (0: burst)
    int window = 8;       // relay saturation: messages in flight per sender
    int payloadBytes = 300;    // relay: size of one ice-candidate frame
    double warmupSeconds = 1;  // relay: sent but not measured
    double seconds = 10;       // measured duration
    int sources = 1;           // distinct 127.0.0.x source addresses (more than ~28k sockets)
    int connectConcurrency = 256;
};

// Parses --name value pairs; throws std::invalid_argument with a usage line on a bad argument.
Options parseOptions(const std::vector<std::string>& args);

std::string usage();

}  // namespace pulsemeet::bench
