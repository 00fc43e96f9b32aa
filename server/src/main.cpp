#include <iostream>
#include <string>
#include <vector>

#include "app/Application.hpp"
#include "app/TokenCommand.hpp"
#include "config/Config.hpp"

extern char** environ;

int main(int argc, char** argv) {
    using namespace pulsemeet;
    const std::vector<std::string> args(argv + 1, argv + argc);
    const bool tokenCommand = !args.empty() && args.front() == "token";
    if (!tokenCommand && config::wantsHelp(args)) {
        std::cout << config::helpText();
        return 0;
    }
    config::Environment environment;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string text(*entry);
        if (const auto eq = text.find('='); eq != std::string::npos) {
            environment.emplace(text.substr(0, eq), text.substr(eq + 1));
        }
    }
    if (tokenCommand) {
        return app::runTokenCommand({args.begin() + 1, args.end()}, environment, std::cout,
                                    std::cerr);
    }
    try {
        return app::run(config::load(args, environment));
    } catch (const config::ConfigError& error) {
        std::cerr << "pulsemeet: " << error.what() << "\n";
        return 2;
    }
}
