#pragma once

namespace pulsemeet::bench {

// What /proc says about the server process. Zero when pid is 0 or the process is gone.
struct ProcessSample {
    double cpuSeconds = 0;  // user + system
    double rssKiB = 0;      // VmRSS
};

ProcessSample sampleProcess(int pid);

}  // namespace pulsemeet::bench
