#pragma once

namespace pulsemeet::bench {

// What /proc says about the server process. Zero when pid is 0 or the process is gone.
struct ProcessSample {
    double cpuSeconds = 0;  // user + system
    double rssKiB = 0;      // VmRSS
    // Times its threads went to sleep and were woken again (voluntary context switches, summed
    // over the threads alive now): an event loop's wake-ups.
    double wakeUps = 0;
};

ProcessSample sampleProcess(int pid);

}  // namespace pulsemeet::bench
