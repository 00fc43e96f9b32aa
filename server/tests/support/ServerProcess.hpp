#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pulsemeet::testing {

// The real `pulsemeet` binary, started on a free loopback port with the given settings, its
// stdout captured line by line. Stopped (SIGTERM, then SIGKILL) when destroyed.
class ServerProcess;

class ServerProcess {
  public:
    using Settings = std::map<std::string, std::string>;

    explicit ServerProcess(Settings settings = {}, std::vector<std::string> args = {});
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    std::uint16_t port() const { return port_; }
    int pid() const { return pid_; }

    // Waits for a stdout line containing `text`; false at the deadline.
    bool waitForLine(const std::string& text,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10));
    std::vector<std::string> lines() const;

    void signal(int signal);
    // Waits for exit; returns the exit status, or -1 at the deadline.
    int waitForExit(std::chrono::milliseconds timeout);
    bool running() const { return pid_ > 0; }

  private:
    void readOutput(int fd);

    int pid_ = -1;
    int exitStatus_ = -1;
    std::uint16_t port_ = 0;
    std::thread reader_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> lines_;
};

using Env = ServerProcess::Settings;

// Runs the binary to completion (for --help and bad-configuration checks).
struct RunResult {
    int exitCode;
    std::string output;  // stdout and stderr together
};
RunResult runToCompletion(const ServerProcess::Settings& settings, std::vector<std::string> args);

// A plain HTTP/1.1 request to 127.0.0.1:port. Returns status, headers (lowercase names) and body.
struct HttpResult {
    int status = 0;
    std::map<std::string, std::string> headers;
    std::string body;
};
HttpResult httpGet(std::uint16_t port, const std::string& target,
                   const std::map<std::string, std::string>& headers = {});

// One sample from the server's /metrics: `series` is a name, with its labels if it has any
// (`pulsemeet_rooms`, `x_total{reason="y"}`). -1 when absent.
double metricValue(std::uint16_t port, const std::string& series);

}  // namespace pulsemeet::testing
