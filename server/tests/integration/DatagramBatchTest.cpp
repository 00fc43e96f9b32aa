// ReceiveBatch on a real UDP socket on 127.0.0.1: a datagram's arrival time is when the kernel
// took it in, not when the media thread got round to reading it (docs/architecture.md,
// "Feedback": transport-cc arrival times).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <thread>

#include "media/DatagramBatch.hpp"

namespace pulsemeet::media {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A UDP socket on 127.0.0.1, a port the kernel chose; closed with the object.
class LoopbackSocket {
  public:
    LoopbackSocket() : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0)) {
        sockaddr_in local{};
        local.sin_family = AF_INET;
        local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd_, reinterpret_cast<const sockaddr*>(&local), sizeof local);
        socklen_t length = sizeof address_;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address_), &length);
    }
    ~LoopbackSocket() { ::close(fd_); }
    LoopbackSocket(const LoopbackSocket&) = delete;
    LoopbackSocket& operator=(const LoopbackSocket&) = delete;

    int fd() const { return fd_; }
    const sockaddr_in& address() const { return address_; }

  private:
    int fd_;
    sockaddr_in address_{};
};

TEST(DatagramBatchTest, ArrivalTimeIsWhenTheDatagramCameNotWhenItWasRead) {
    LoopbackSocket receiver;
    LoopbackSocket sender;
    ASSERT_GE(receiver.fd(), 0);
    ASSERT_TRUE(ReceiveBatch::enableArrivalTimes(receiver.fd()));

    const std::array<std::uint8_t, 100> payload{0x80};
    const auto sentAt = Clock::now();
    ASSERT_EQ(
        ::sendto(sender.fd(), payload.data(), payload.size(), 0,
                 reinterpret_cast<const sockaddr*>(&receiver.address()), sizeof receiver.address()),
        static_cast<ssize_t>(payload.size()));
    pollfd readable{receiver.fd(), POLLIN, 0};
    ASSERT_EQ(::poll(&readable, 1, 5000), 1) << "the datagram never arrived";
    // The media thread gets its core 200 ms later.
    std::this_thread::sleep_until(sentAt + 200ms);

    ReceiveBatch batch(4, 1500);
    ASSERT_EQ(batch.receive(receiver.fd()), 1u);
    EXPECT_EQ(batch.datagram(0).size(), payload.size());
    const auto arrived = batch.arrivedAt(0);
    // On loopback the datagram is taken in during sendto: at once, not at the read 200 ms on.
    EXPECT_GE(arrived, sentAt - 1ms);
    EXPECT_LT(arrived, sentAt + 100ms) << "arrival taken at the read, not from the kernel";
}

TEST(DatagramBatchTest, WithoutKernelStampsTheArrivalIsTheRead) {
    LoopbackSocket receiver;
    LoopbackSocket sender;
    const std::array<std::uint8_t, 10> payload{0x80};
    ASSERT_EQ(
        ::sendto(sender.fd(), payload.data(), payload.size(), 0,
                 reinterpret_cast<const sockaddr*>(&receiver.address()), sizeof receiver.address()),
        static_cast<ssize_t>(payload.size()));
    pollfd readable{receiver.fd(), POLLIN, 0};
    ASSERT_EQ(::poll(&readable, 1, 5000), 1);
    ReceiveBatch batch(4, 1500);
    const auto before = Clock::now();
    ASSERT_EQ(batch.receive(receiver.fd()), 1u);
    EXPECT_GE(batch.arrivedAt(0), before);
    EXPECT_LE(batch.arrivedAt(0), Clock::now());
}

}  // namespace
}  // namespace pulsemeet::media
