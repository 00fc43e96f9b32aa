// pulsemeet-sfuload: the media-server load peer of `make bench-sfu` (bench/sfu.sh). Runs one
// scenario against a server and prints one JSON line.
#include <boost/json/serialize.hpp>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "SfuRun.hpp"

namespace {

constexpr const char* kUsage =
    "usage: pulsemeet-sfuload --port P [--host 127.0.0.1] [--pid SERVER_PID] [--server NAME]\n"
    "         [--scenario NAME] [--rooms N] [--room-size N] [--publishers N] [--seconds S]\n"
    "         [--warmup-seconds S] [--room-prefix TEXT] [--media-ip IP]\n"
    "         [--profile PERF_DATA_FILE]\n";

}  // namespace

int main(int argc, char** argv) {
    using namespace pulsemeet::bench::sfu;
    const std::vector<std::string> args(argv + 1, argv + argc);
    RunOptions options;
    try {
        for (std::size_t i = 0; i < args.size(); ++i) {
            const auto& name = args[i];
            if (name == "--help" || name == "-h") {
                std::cout << kUsage;
                return 0;
            }
            if (i + 1 >= args.size()) throw std::invalid_argument(name + " needs a value");
            const auto& value = args[++i];
            if (name == "--port")
                options.port = static_cast<unsigned short>(std::stoul(value));
            else if (name == "--host")
                options.host = value;
            else if (name == "--pid")
                options.serverPid = std::stoi(value);
            else if (name == "--server")
                options.server = value;
            else if (name == "--scenario")
                options.scenario = value;
            else if (name == "--rooms")
                options.rooms = static_cast<unsigned>(std::stoul(value));
            else if (name == "--room-size")
                options.roomSize = static_cast<unsigned>(std::stoul(value));
            else if (name == "--publishers")
                options.publishers = static_cast<unsigned>(std::stoul(value));
            else if (name == "--seconds")
                options.seconds = std::stod(value);
            else if (name == "--warmup-seconds")
                options.warmupSeconds = std::stod(value);
            else if (name == "--media-ip")
                options.mediaIp = value;
            else if (name == "--profile")
                options.profileFile = value;
            else if (name == "--room-prefix")
                options.roomPrefix = value;
            else
                throw std::invalid_argument("unknown option " + name);
        }
        if (options.publishers > options.roomSize)
            throw std::invalid_argument("--publishers is more than --room-size");
    } catch (const std::exception& error) {
        std::cerr << "pulsemeet-sfuload: " << error.what() << "\n" << kUsage;
        return 2;
    }
    try {
        std::cout << boost::json::serialize(runSfuScenario(options)) << std::endl;
    } catch (const std::exception& error) {
        std::cerr << "pulsemeet-sfuload: " << error.what() << "\n";
        return 1;
    }
    return 0;
}
