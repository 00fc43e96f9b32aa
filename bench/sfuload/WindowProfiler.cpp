#include "WindowProfiler.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

extern char** environ;

namespace pulsemeet::bench::sfu {

WindowProfiler::WindowProfiler(int serverPid, const std::string& outputFile) {
    // cpu-clock, not cycles: this machine's VM has no hardware counters. 999 Hz keeps the
    // sampling's own cost on the server small; the call chains are the kernel's frame pointers
    // (that is all the split needs) and user frames as far as they go.
    std::vector<std::string> args = {"perf", "record",    "-q", "-F", "999",
                                     "-e",   "cpu-clock", "-g", "-p", std::to_string(serverPid),
                                     "-o",   outputFile};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const int error = posix_spawnp(&perf_, "perf", nullptr, nullptr, argv.data(), environ);
    if (error != 0) {
        perf_ = -1;
        throw std::runtime_error(
            std::string("cannot start perf (bench/deps.sh sfu installs it): ") +
            std::strerror(error));
    }
}

WindowProfiler::~WindowProfiler() {
    stop();
}

bool WindowProfiler::stop() {
    if (perf_ < 0) return false;
    kill(perf_, SIGINT);
    int status = 0;
    while (waitpid(perf_, &status, 0) < 0 && errno == EINTR) {
    }
    perf_ = -1;
    // After writing its file perf raises the SIGINT again on itself, so that its parent sees
    // the signal that ended it: that, or a plain exit 0, is success.
    return (WIFSIGNALED(status) && WTERMSIG(status) == SIGINT) ||
           (WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

}  // namespace pulsemeet::bench::sfu
