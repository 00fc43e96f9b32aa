// pulsemeet-loadgen: drives a PulseMeet-protocol signaling server and prints one JSON line.
#include <boost/json/serialize.hpp>

#include <iostream>
#include <stdexcept>

#include "Options.hpp"
#include "Scenario.hpp"

int main(int argc, char** argv) {
    using namespace pulsemeet::bench;
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
        std::cout << usage();
        return 0;
    }
    Options options;
    try {
        options = parseOptions(args);
    } catch (const std::invalid_argument& error) {
        std::cerr << "pulsemeet-loadgen: " << error.what() << "\n" << usage();
        return 2;
    }
    try {
        auto scenario = makeScenario(options);
        std::cout << boost::json::serialize(scenario->run()) << std::endl;
    } catch (const std::exception& error) {
        std::cerr << "pulsemeet-loadgen: " << error.what() << "\n";
        return 1;
    }
    return 0;
}
