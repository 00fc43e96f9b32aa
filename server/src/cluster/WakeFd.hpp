#pragma once

namespace pulsemeet::cluster {

// An eventfd that wakes a thread blocked in poll(): another thread calls notify(), the polling
// thread sees fd() readable and calls drain().
class WakeFd {
  public:
    WakeFd();
    ~WakeFd();
    WakeFd(const WakeFd&) = delete;
    WakeFd& operator=(const WakeFd&) = delete;

    int fd() const { return fd_; }
    void notify();
    void drain();

  private:
    int fd_;
};

}  // namespace pulsemeet::cluster
