#pragma once

#include <sys/types.h>
#include <string>

// `perf record` of the server for exactly the measurement window (`PROFILE=1 bench/sfu.sh`): it
// samples the server's CPU time with kernel and user call chains, so bench/sfu_profile.py can
// split each run's CPU per forwarded packet into our user space, the kernel's send path, the
// loopback's delivery into the load peer's sockets and the wake-ups (docs/performance.md). The
// perf process is a child of the load peer, so it runs on the load peer's core, not the
// server's. Started by the constructor, stopped (SIGINT, so that perf writes its file) by stop()
// or the destructor.
namespace pulsemeet::bench::sfu {

class WindowProfiler {
  public:
    // Throws std::runtime_error naming perf when it cannot be started.
    WindowProfiler(int serverPid, const std::string& outputFile);
    ~WindowProfiler();
    WindowProfiler(const WindowProfiler&) = delete;
    WindowProfiler& operator=(const WindowProfiler&) = delete;

    // Ends the recording and waits for perf to write its file; false when perf failed.
    bool stop();

  private:
    pid_t perf_ = -1;
};

}  // namespace pulsemeet::bench::sfu
