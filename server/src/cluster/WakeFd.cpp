#include "cluster/WakeFd.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <system_error>

namespace pulsemeet::cluster {

WakeFd::WakeFd() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

WakeFd::~WakeFd() {
    ::close(fd_);
}

void WakeFd::notify() {
    const std::uint64_t one = 1;
    // A full counter already means "wake up": a failed write loses nothing.
    [[maybe_unused]] const auto written = ::write(fd_, &one, sizeof one);
}

void WakeFd::drain() {
    std::uint64_t value = 0;
    [[maybe_unused]] const auto read = ::read(fd_, &value, sizeof value);
}

}  // namespace pulsemeet::cluster
