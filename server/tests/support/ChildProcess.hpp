#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pulsemeet::testing {

// A helper program (prometheus, promtool, openssl...) found on PATH, run as a child with its
// stdout and stderr captured. Stopped with SIGTERM, then SIGKILL, when destroyed.
class ChildProcess {
  public:
    explicit ChildProcess(std::vector<std::string> argv);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    std::string output() const;
    bool running();

  private:
    void readOutput(int fd);

    int pid_ = -1;
    std::thread reader_;
    mutable std::mutex mutex_;
    std::string output_;
};

struct ProgramResult {
    int exitCode;
    std::string output;  // stdout and stderr together
};

// Runs a program found on PATH to completion, feeding it `input` on stdin.
ProgramResult runProgram(const std::vector<std::string>& argv, const std::string& input = {});

// A fresh directory under the system temp dir, removed with everything in it when destroyed.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    // Writes `text` to `name` inside the directory; returns the file's path.
    std::filesystem::path write(const std::string& name, const std::string& text) const;

  private:
    std::filesystem::path path_;
};

// A loopback TCP port nothing listens on right now, for programs that cannot pick their own
// and report it (Prometheus). Taken from the kernel's ephemeral range by binding port 0.
std::uint16_t freeLoopbackPort();

// Polls `condition` until it holds or `timeout` passes; returns its last answer.
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (condition()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

}  // namespace pulsemeet::testing
