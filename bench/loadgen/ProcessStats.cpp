#include "ProcessStats.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace pulsemeet::bench {

namespace {

double cpuSeconds(int pid) {
    std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    std::getline(file, text);
    // The command name may contain spaces; fields resume after its closing parenthesis.
    const auto close = text.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream fields(text.substr(close + 2));
    std::string field;
    double utime = 0;
    double stime = 0;
    // After ")": state is field 3; utime and stime are fields 14 and 15.
    for (int index = 3; index <= 15 && fields >> field; ++index) {
        if (index == 14) utime = std::stod(field);
        if (index == 15) stime = std::stod(field);
    }
    return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double rssKiB(int pid) {
    std::ifstream file("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(file, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6));
    }
    return 0;
}

double wakeUps(int pid) {
    double total = 0;
    std::error_code error;
    for (const auto& task :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", error)) {
        std::ifstream file(task.path() / "status");
        std::string line;
        while (std::getline(file, line)) {
            if (line.rfind("voluntary_ctxt_switches:", 0) == 0) {
                total += std::stod(line.substr(24));
                break;
            }
        }
    }
    return total;
}

}  // namespace

ProcessSample sampleProcess(int pid) {
    if (pid <= 0) return {};
    return {cpuSeconds(pid), rssKiB(pid), wakeUps(pid)};
}

}  // namespace pulsemeet::bench
