// ReceiveBatch and SendBatch on real UDP sockets on 127.0.0.1: a datagram's arrival time is when
// the kernel took it in, not when the media thread got round to reading it (docs/architecture.md,
// "Feedback": transport-cc arrival times); a receiver's run of datagrams leaves as one segmented
// message and still arrives one datagram at a time, in order.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

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

Endpoint endpointOf(const LoopbackSocket& socket) {
    std::array<std::uint8_t, 4> ip{};
    std::memcpy(ip.data(), &socket.address().sin_addr, ip.size());
    return Endpoint::v4(ip, ntohs(socket.address().sin_port));
}

// Reads what arrives on `socket` until `expected` datagrams came or 5 s passed, as the
// receiver's own copies (a browser's socket: no UDP_GRO, so the kernel hands each one on its own).
std::vector<std::vector<std::uint8_t>> receiveAll(const LoopbackSocket& socket,
                                                  std::size_t expected) {
    std::vector<std::vector<std::uint8_t>> datagrams;
    ReceiveBatch batch(32, 2048);
    const auto deadline = Clock::now() + 5s;
    while (datagrams.size() < expected && Clock::now() < deadline) {
        pollfd readable{socket.fd(), POLLIN, 0};
        if (::poll(&readable, 1, 100) != 1) continue;
        const std::size_t count = batch.receive(socket.fd());
        for (std::size_t i = 0; i < count; ++i) {
            const auto datagram = batch.datagram(i);
            datagrams.emplace_back(datagram.begin(), datagram.end());
        }
    }
    return datagrams;
}

// A datagram that says which it is: its first two bytes its number, then `size - 2` bytes of it.
void queueNumbered(SendBatch& batch, std::uint16_t number, std::size_t size, const Endpoint& to) {
    auto slot = batch.slot();
    ASSERT_GE(slot.size(), size);
    slot[0] = static_cast<std::uint8_t>(number >> 8);
    slot[1] = static_cast<std::uint8_t>(number);
    std::fill(slot.begin() + 2, slot.begin() + static_cast<std::ptrdiff_t>(size),
              static_cast<std::uint8_t>(number));
    batch.commit(size, to);
}

std::vector<std::uint16_t> numbersOf(const std::vector<std::vector<std::uint8_t>>& datagrams,
                                     const std::vector<std::size_t>& sizes) {
    std::vector<std::uint16_t> numbers;
    for (const auto& datagram : datagrams) {
        if (datagram.size() < 2) return {};
        const auto number = static_cast<std::uint16_t>(datagram[0] << 8 | datagram[1]);
        // Each arrives whole and alone: its own size, its own bytes.
        if (number >= sizes.size() || datagram.size() != sizes[number]) return {};
        for (std::size_t i = 2; i < datagram.size(); ++i)
            if (datagram[i] != static_cast<std::uint8_t>(number)) return {};
        numbers.push_back(number);
    }
    return numbers;
}

TEST(DatagramBatchTest, AReceiversRunOfEqualDatagramsLeavesAsOneMessageAndArrivesOneByOne) {
    // Two subscribers' frames interleaved as forwarding queues them (each packet to A, then to
    // B): A's two full packets and its shorter last one, B's the same, and a short audio packet
    // to each before. Every datagram arrives on its own, whole, each receiver's in the order
    // queued, and the frames' runs went as segmented messages.
    LoopbackSocket a;
    LoopbackSocket b;
    LoopbackSocket sender;
    const auto toA = endpointOf(a);
    const auto toB = endpointOf(b);
    // number -> size; even numbers to A, odd to B
    const std::vector<std::size_t> sizes = {120, 120, 1136, 1136, 1136, 1136, 909, 909};
    SendBatch batch(32, 2048);
    for (std::uint16_t n = 0; n < sizes.size(); ++n)
        queueNumbered(batch, n, sizes[n], n % 2 == 0 ? toA : toB);
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    ASSERT_EQ(batch.flush(sender.fd()), 0u);

    EXPECT_EQ(numbersOf(receiveAll(a, 4), sizes), (std::vector<std::uint16_t>{0, 2, 4, 6}));
    EXPECT_EQ(numbersOf(receiveAll(b, 4), sizes), (std::vector<std::uint16_t>{1, 3, 5, 7}));
    ASSERT_TRUE(batch.segmenting()) << "this kernel refused UDP_SEGMENT on loopback";
    // Per receiver: the audio packet alone (a longer one cannot follow it), the frame's three.
    EXPECT_EQ(batch.segmentedMessages(), 2u);
    EXPECT_EQ(batch.segmentedDatagrams(), 6u);
}

TEST(DatagramBatchTest, EveryReceiverOfAWideFanOutGetsItsRunAsOneMessage) {
    // One speaker's frame to many viewers, queued packet by packet (the first to everyone, then
    // the second, then the last): each viewer's three datagrams still make one message, found
    // among twenty receivers, and arrive in order.
    constexpr std::size_t kViewers = 20;
    std::vector<std::unique_ptr<LoopbackSocket>> viewers;
    for (std::size_t v = 0; v < kViewers; ++v)
        viewers.push_back(std::make_unique<LoopbackSocket>());
    LoopbackSocket sender;
    std::vector<std::size_t> sizes;
    SendBatch batch(64, 2048);
    for (std::size_t packet = 0; packet < 3; ++packet) {
        for (std::size_t v = 0; v < kViewers; ++v) {
            const auto number = static_cast<std::uint16_t>(sizes.size());
            sizes.push_back(packet < 2 ? 1000 : 500);
            queueNumbered(batch, number, sizes.back(), endpointOf(*viewers[v]));
        }
    }
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    ASSERT_EQ(batch.flush(sender.fd()), 0u);
    for (std::size_t v = 0; v < kViewers; ++v) {
        const auto n = static_cast<std::uint16_t>(v);
        EXPECT_EQ(numbersOf(receiveAll(*viewers[v], 3), sizes),
                  (std::vector<std::uint16_t>{n, static_cast<std::uint16_t>(n + kViewers),
                                              static_cast<std::uint16_t>(n + 2 * kViewers)}))
            << "viewer " << v;
    }
    EXPECT_EQ(batch.segmentedMessages(), kViewers);
    EXPECT_EQ(batch.segmentedDatagrams(), 3 * kViewers);
}

TEST(DatagramBatchTest, ALongerDatagramOrOneAfterAShorterOneStartsAnotherMessageInOrder) {
    // 1000, 1000, 500 | 1000 (after the shorter one) | 1200 (longer), 1200 | 1300 (above a
    // segment's largest size: alone) | 40: the receiver still gets all of them in the order queued.
    LoopbackSocket receiver;
    LoopbackSocket sender;
    const auto to = endpointOf(receiver);
    const std::vector<std::size_t> sizes = {1000, 1000, 500, 1000, 1200, 1200, 1300, 40};
    SendBatch batch(32, 2048);
    for (std::uint16_t n = 0; n < sizes.size(); ++n) queueNumbered(batch, n, sizes[n], to);
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    ASSERT_EQ(batch.flush(sender.fd()), 0u);
    EXPECT_EQ(numbersOf(receiveAll(receiver, sizes.size()), sizes),
              (std::vector<std::uint16_t>{0, 1, 2, 3, 4, 5, 6, 7}));
    // [0 1 2] [3] [4 5] [6] [7]
    EXPECT_EQ(batch.segmentedMessages(), 2u);
    EXPECT_EQ(batch.segmentedDatagrams(), 5u);
}

TEST(DatagramBatchTest, WhereTheKernelRefusesSegmentsTheRunGoesOneByOneAndStaysSo) {
    // A socket without UDP checksums (SO_NO_CHECK) cannot send a segmented message (EINVAL),
    // as a kernel or route without UDP_SEGMENT cannot: nothing is lost, the datagrams go one by
    // one in order, and the batch stops trying.
    LoopbackSocket receiver;
    LoopbackSocket sender;
    const int on = 1;
    ASSERT_EQ(::setsockopt(sender.fd(), SOL_SOCKET, SO_NO_CHECK, &on, sizeof on), 0);
    const auto to = endpointOf(receiver);
    const std::vector<std::size_t> sizes = {1000, 1000, 1000, 600, 600, 600};
    SendBatch batch(32, 2048);
    for (std::uint16_t n = 0; n < 3; ++n) queueNumbered(batch, n, sizes[n], to);
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    EXPECT_EQ(batch.flush(sender.fd()), 0u);
    EXPECT_FALSE(batch.segmenting());
    for (std::uint16_t n = 3; n < 6; ++n) queueNumbered(batch, n, sizes[n], to);
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    EXPECT_EQ(batch.flush(sender.fd()), 0u);
    EXPECT_EQ(numbersOf(receiveAll(receiver, sizes.size()), sizes),
              (std::vector<std::uint16_t>{0, 1, 2, 3, 4, 5}));
    EXPECT_EQ(batch.segmentedDatagrams(), 0u);
}

TEST(DatagramBatchTest, AReceiverWithUdpGroGetsTheRunAsOneBufferOfEqualSegments) {
    // What the kernel does with a segmented message on loopback when the receiving socket asks
    // for coalesced reads (UDP_GRO, as the benchmark's load peer does): one read of the whole
    // run, with the segment size beside it. This is what makes the run one pass through the
    // stack rather than the sender's batching alone.
    LoopbackSocket receiver;
    LoopbackSocket sender;
    const int on = 1;
    ASSERT_EQ(::setsockopt(receiver.fd(), SOL_UDP, UDP_GRO, &on, sizeof on), 0);
    const std::vector<std::size_t> sizes = {1100, 1100, 700};
    SendBatch batch(32, 2048);
    for (std::uint16_t n = 0; n < sizes.size(); ++n)
        queueNumbered(batch, n, sizes[n], endpointOf(receiver));
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    ASSERT_EQ(batch.flush(sender.fd()), 0u);

    pollfd readable{receiver.fd(), POLLIN, 0};
    ASSERT_EQ(::poll(&readable, 1, 5000), 1);
    std::vector<std::uint8_t> buffer(65536);
    std::array<std::uint8_t, 64> control{};
    iovec vector{buffer.data(), buffer.size()};
    msghdr header{};
    header.msg_iov = &vector;
    header.msg_iovlen = 1;
    header.msg_control = control.data();
    header.msg_controllen = control.size();
    const ssize_t length = ::recvmsg(receiver.fd(), &header, MSG_DONTWAIT);
    ASSERT_EQ(length, 2900);
    int segment = 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&header); c != nullptr; c = CMSG_NXTHDR(&header, c))
        if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO)
            std::memcpy(&segment, CMSG_DATA(c), sizeof segment);
    EXPECT_EQ(segment, 1100);
    EXPECT_EQ(buffer[0], 0);
    EXPECT_EQ(buffer[1100 + 1], 1);
    EXPECT_EQ(buffer[2200 + 1], 2);
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
