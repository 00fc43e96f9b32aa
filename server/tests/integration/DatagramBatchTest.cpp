// ReceiveBatch on a real UDP socket on 127.0.0.1: a datagram's arrival time is when the kernel
// took it in, not when the media thread got round to reading it (docs/architecture.md,
// "Feedback": transport-cc arrival times).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
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

// Linux turns receive stamping on for the whole machine when the first socket asks for it, but
// from a work item, a moment later (net_enable_timestamp): until then a datagram is stamped when
// it is read. With no other stamping socket open (no media server running), the test's datagram
// could be the one that came too early. Probes go through until one is stamped before its read.
void awaitKernelStamps(const LoopbackSocket& receiver, const LoopbackSocket& sender) {
    const std::array<std::uint8_t, 4> probe{0x80};
    ReceiveBatch batch(4, 1500);
    const auto deadline = Clock::now() + 5s;
    while (Clock::now() < deadline) {
        ::sendto(sender.fd(), probe.data(), probe.size(), 0,
                 reinterpret_cast<const sockaddr*>(&receiver.address()), sizeof receiver.address());
        pollfd readable{receiver.fd(), POLLIN, 0};
        if (::poll(&readable, 1, 1000) != 1) continue;
        std::this_thread::sleep_for(20ms);  // what a stamp taken at arrival shows
        const auto readAround = Clock::now();
        if (batch.receive(receiver.fd()) == 1 && batch.arrivedAt(0) < readAround - 10ms) return;
    }
    FAIL() << "the kernel never stamped a datagram at its arrival";
}

TEST(DatagramBatchTest, ArrivalTimeIsWhenTheDatagramCameNotWhenItWasRead) {
    LoopbackSocket receiver;
    LoopbackSocket sender;
    ASSERT_GE(receiver.fd(), 0);
    ASSERT_TRUE(ReceiveBatch::enableArrivalTimes(receiver.fd()));
    awaitKernelStamps(receiver, sender);
    ASSERT_FALSE(::testing::Test::HasFatalFailure());

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

TEST(DatagramBatchTest, DatagramsWrittenInSlotsAndCopiedInArriveIntactInOrder) {
    // What a transport protects straight into a slot goes out like what add() copies in; a slot
    // handed out but not committed sends nothing.
    LoopbackSocket receiver;
    LoopbackSocket sender;
    const auto& address = receiver.address();
    std::array<std::uint8_t, 4> ip{};
    std::memcpy(ip.data(), &address.sin_addr, ip.size());
    const auto to = Endpoint::v4(ip, ntohs(address.sin_port));

    SendBatch batch(4, 1500);
    auto first = batch.slot();
    ASSERT_EQ(first.size(), 1500u);
    for (std::size_t i = 0; i < 1200; ++i) first[i] = static_cast<std::uint8_t>(i * 7);
    batch.commit(1200, to);
    const std::array<std::uint8_t, 3> copied{0xAA, 0xBB, 0xCC};
    ASSERT_TRUE(batch.add(copied, to));
    auto abandoned = batch.slot();
    std::fill(abandoned.begin(), abandoned.end(), std::uint8_t{0x11});  // never committed
    auto last = batch.slot();
    ASSERT_EQ(last.data(), abandoned.data());
    last[0] = 0x42;
    batch.commit(1, to);
    ASSERT_EQ(batch.flush(sender.fd()), 0u);

    ReceiveBatch received(8, 2048);
    std::size_t count = 0;
    const auto deadline = Clock::now() + 5s;
    while (count < 3 && Clock::now() < deadline) {
        pollfd readable{receiver.fd(), POLLIN, 0};
        if (::poll(&readable, 1, 100) != 1) continue;
        count = received.receive(receiver.fd());
    }
    ASSERT_EQ(count, 3u);
    const auto one = received.datagram(0);
    ASSERT_EQ(one.size(), 1200u);
    for (std::size_t i = 0; i < one.size(); ++i)
        ASSERT_EQ(one[i], static_cast<std::uint8_t>(i * 7)) << i;
    const auto two = received.datagram(1);
    EXPECT_TRUE(std::equal(two.begin(), two.end(), copied.begin(), copied.end()));
    const auto three = received.datagram(2);
    ASSERT_EQ(three.size(), 1u);
    EXPECT_EQ(three[0], 0x42);
}

TEST(DatagramBatchTest, AFullBatchHasNoSlot) {
    SendBatch batch(2, 100);
    const auto to = Endpoint::v4({127, 0, 0, 1}, 9);
    batch.commit(10, to);
    batch.commit(10, to);
    EXPECT_TRUE(batch.full());
    EXPECT_TRUE(batch.slot().empty());
    const std::array<std::uint8_t, 1> one{1};
    EXPECT_FALSE(batch.add(one, to));
}

}  // namespace
}  // namespace pulsemeet::media
