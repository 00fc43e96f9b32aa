#pragma once

#include <boost/json/object.hpp>
#include <string>

// One scenario of `make bench-sfu`: `rooms` rooms of `roomSize` load peers, the first
// `publishers` of each publishing; every peer subscribes to everything the room offers. The run
// joins everyone, waits until every subscriber receives every announced stream (or the warm-up
// ends), then measures for `seconds`: what the subscribers received, and the server's CPU time
// and memory from /proc/<serverPid> (and, with profileFile, perf's samples of the server).
namespace pulsemeet::bench::sfu {

struct RunOptions {
    std::string scenario = "rooms-of-6";
    std::string server = "pulsemeet";  // or "janus": its VideoRoom over its WebSocket API
    std::string host = "127.0.0.1";
    std::string mediaIp;         // Janus: where the load peer's media sockets bind (its candidate)
    unsigned short port = 8080;  // the signaling WebSocket
    int serverPid = 0;
    unsigned rooms = 1;
    unsigned roomSize = 6;
    unsigned publishers = 6;  // per room
    double seconds = 10;
    double warmupSeconds = 20;
    std::string roomPrefix = "load";
    std::string profileFile;  // non-empty: `perf record` the server into it for the window
};

boost::json::object runSfuScenario(const RunOptions& options);

}  // namespace pulsemeet::bench::sfu
