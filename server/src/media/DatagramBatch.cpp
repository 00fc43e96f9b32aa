#include "media/DatagramBatch.hpp"

#include <netinet/in.h>
#include <netinet/udp.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>

namespace pulsemeet::media {

namespace {

Endpoint fromSockaddr(const sockaddr_storage& storage) {
    if (storage.ss_family == AF_INET6) {
        sockaddr_in6 address{};
        std::memcpy(&address, &storage, sizeof address);
        std::array<std::uint8_t, 16> bytes{};
        std::memcpy(bytes.data(), &address.sin6_addr, bytes.size());
        const std::uint16_t port = ntohs(address.sin6_port);
        // A v4-mapped address (::ffff:a.b.c.d) is the IPv4 sender it maps.
        static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
        if (std::equal(std::begin(kMapped), std::end(kMapped), bytes.begin()))
            return Endpoint::v4({bytes[12], bytes[13], bytes[14], bytes[15]}, port);
        return Endpoint::v6(bytes, port);
    }
    sockaddr_in address{};
    std::memcpy(&address, &storage, sizeof address);
    std::array<std::uint8_t, 4> bytes{};
    std::memcpy(bytes.data(), &address.sin_addr, bytes.size());
    return Endpoint::v4(bytes, ntohs(address.sin_port));
}

// The receiver as the socket's family wants it: an IPv6 socket (bound to ::) reaches an IPv4
// peer through its v4-mapped address.
socklen_t toSockaddr(const Endpoint& endpoint, sa_family_t socketFamily,
                     sockaddr_storage& storage) {
    std::memset(&storage, 0, sizeof storage);
    if (endpoint.family == Endpoint::Family::ipv4 && socketFamily != AF_INET6) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(endpoint.port);
        std::memcpy(&address.sin_addr, endpoint.address.data(), 4);
        std::memcpy(&storage, &address, sizeof address);
        return sizeof address;
    }
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_port = htons(endpoint.port);
    if (endpoint.family == Endpoint::Family::ipv4) {
        auto* bytes = reinterpret_cast<std::uint8_t*>(&address.sin6_addr);
        bytes[10] = 0xFF;
        bytes[11] = 0xFF;
        std::memcpy(bytes + 12, endpoint.address.data(), 4);
    } else {
        std::memcpy(&address.sin6_addr, endpoint.address.data(), 16);
    }
    std::memcpy(&storage, &address, sizeof address);
    return sizeof address;
}

// Room for one SCM_TIMESTAMPNS message (and its alignment).
constexpr std::size_t kControlBytes = CMSG_SPACE(sizeof(timespec));
// Room for one UDP_SEGMENT message: the segment size.
constexpr std::size_t kSegmentControlBytes = CMSG_SPACE(sizeof(std::uint16_t));
// The kernel's UDP_MAX_SEGMENTS (64; newer kernels take 128).
constexpr std::size_t kMaxSegments = 64;

// A receiver's address and port mixed into 64 bits (splitmix64's finaliser): the send batch
// compares these before whole endpoints.
std::uint64_t receiverKey(const Endpoint& endpoint) {
    std::uint64_t high = 0;
    std::uint64_t low = 0;
    std::memcpy(&high, endpoint.address.data(), sizeof high);
    std::memcpy(&low, endpoint.address.data() + sizeof high, sizeof low);
    std::uint64_t key = high ^ (low * 0x9E3779B97F4A7C15ULL) ^
                        (std::uint64_t{endpoint.port} << 48) ^
                        static_cast<std::uint64_t>(endpoint.family);
    key ^= key >> 30;
    key *= 0xBF58476D1CE4E5B9ULL;
    key ^= key >> 27;
    key *= 0x94D049BB133111EBULL;
    return key ^ (key >> 31);
}

sa_family_t socketFamily(int fd) {
    sockaddr_storage local{};
    socklen_t length = sizeof local;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) return AF_INET;
    return local.ss_family;
}

}  // namespace

ReceiveBatch::ReceiveBatch(std::size_t capacity, std::size_t datagramBytes)
    : datagramBytes_(datagramBytes),
      buffers_(capacity * datagramBytes),
      senders_(capacity),
      vectors_(capacity),
      messages_(capacity),
      controls_(capacity * kControlBytes) {}

bool ReceiveBatch::enableArrivalTimes(int fd) {
    const int on = 1;
    return ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) == 0;
}

std::size_t ReceiveBatch::receive(int fd) {
    for (std::size_t i = 0; i < messages_.size(); ++i) {
        vectors_[i] = {buffers_.data() + i * datagramBytes_, datagramBytes_};
        messages_[i] = {};
        messages_[i].msg_hdr.msg_name = &senders_[i];
        messages_[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
        messages_[i].msg_hdr.msg_iov = &vectors_[i];
        messages_[i].msg_hdr.msg_iovlen = 1;
        messages_[i].msg_hdr.msg_control = controls_.data() + i * kControlBytes;
        messages_[i].msg_hdr.msg_controllen = kControlBytes;
    }
    const int count = ::recvmmsg(fd, messages_.data(), static_cast<unsigned>(messages_.size()),
                                 MSG_DONTWAIT, nullptr);
    readAt_ = Clock::now();
    ::clock_gettime(CLOCK_REALTIME, &readAtRealtime_);
    return count > 0 ? static_cast<std::size_t>(count) : 0;
}

ReceiveBatch::Clock::time_point ReceiveBatch::arrivedAt(std::size_t index) const {
    // The stamp is on the realtime clock: its distance to the read, taken from the read on the
    // steady clock. Kept within [0, 1 s]: a realtime clock stepped meanwhile cannot move an
    // arrival after the read or far into the past.
    const auto& header = messages_[index].msg_hdr;
    for (const cmsghdr* c = CMSG_FIRSTHDR(&header); c != nullptr;
         c = CMSG_NXTHDR(const_cast<msghdr*>(&header), const_cast<cmsghdr*>(c))) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
        timespec stamp{};
        std::memcpy(&stamp, CMSG_DATA(c), sizeof stamp);
        const auto age = std::chrono::seconds(readAtRealtime_.tv_sec - stamp.tv_sec) +
                         std::chrono::nanoseconds(readAtRealtime_.tv_nsec - stamp.tv_nsec);
        return readAt_ -
               std::clamp<Clock::duration>(std::chrono::duration_cast<Clock::duration>(age),
                                           Clock::duration::zero(), std::chrono::seconds(1));
    }
    return readAt_;
}

std::span<std::uint8_t> ReceiveBatch::datagram(std::size_t index) {
    // A datagram larger than the slot is cut (MSG_TRUNC); no media packet is that large, and
    // what it would have been is garbage either way.
    const auto size = std::min<std::size_t>(messages_[index].msg_len, datagramBytes_);
    return {buffers_.data() + index * datagramBytes_, size};
}

Endpoint ReceiveBatch::sender(std::size_t index) const {
    return fromSockaddr(senders_[index]);
}

SendBatch::SendBatch(std::size_t capacity, std::size_t datagramBytes)
    : datagramBytes_(datagramBytes),
      buffers_(capacity * datagramBytes),
      vectors_(capacity),
      latestRun_(std::bit_ceil(std::max<std::size_t>(2 * capacity, 2))),
      runOf_(capacity),
      ordered_(capacity),
      receivers_(capacity),
      controls_(capacity * kSegmentControlBytes),
      messages_(capacity) {
    pending_.reserve(capacity);
    keys_.reserve(capacity);
    runs_.reserve(capacity);
}

bool SendBatch::add(std::span<const std::uint8_t> datagram, const Endpoint& to) {
    const auto free = slot();
    if (datagram.size() > free.size()) return false;
    std::copy(datagram.begin(), datagram.end(), free.begin());
    commit(datagram.size(), to);
    return true;
}

std::span<std::uint8_t> SendBatch::slot() {
    if (full()) return {};
    return {buffers_.data() + count_ * datagramBytes_, datagramBytes_};
}

void SendBatch::commit(std::size_t length, const Endpoint& to) {
    if (full() || length > datagramBytes_) return;
    vectors_[count_] = {buffers_.data() + count_ * datagramBytes_, length};
    pending_.push_back(to);
    keys_.push_back(receiverKey(to));
    ++count_;
}

std::size_t SendBatch::arrange() {
    runs_.clear();
    std::fill(latestRun_.begin(), latestRun_.end(), 0U);
    const std::size_t mask = latestRun_.size() - 1;
    for (std::size_t i = 0; i < count_; ++i) {
        const std::size_t length = vectors_[i].iov_len;
        // Only the receiver's latest message may grow: an earlier one goes out first, and a
        // datagram added to it would overtake the ones between.
        std::size_t slot = keys_[i] & mask;
        Run* latest = nullptr;
        for (; latestRun_[slot] != 0; slot = (slot + 1) & mask) {
            Run& run = runs_[latestRun_[slot] - 1];
            if (keys_[run.firstDatagram] == keys_[i] &&
                pending_[run.firstDatagram] == pending_[i]) {
                latest = &run;
                break;
            }
        }
        if (latest && latest->open && length <= latest->segmentBytes &&
            latest->count < kMaxSegments) {
            ++latest->count;
            latest->open = length == latest->segmentBytes;  // a shorter one ends it
            runOf_[i] = static_cast<std::size_t>(latest - runs_.data());
            continue;
        }
        runOf_[i] = runs_.size();
        runs_.push_back({i, 0, 1, length, segmenting_ && length > 0 && length <= kMaxSegmentBytes});
        latestRun_[slot] = static_cast<std::uint32_t>(runs_.size());  // now the receiver's latest
    }
    // Each message's vectors side by side, in batch order within it.
    std::size_t next = 0;
    for (auto& run : runs_) {
        run.firstVector = next;
        next += run.count;
        run.count = 0;  // counted again as the vectors are placed
    }
    for (std::size_t i = 0; i < count_; ++i) {
        auto& run = runs_[runOf_[i]];
        ordered_[run.firstVector + run.count++] = vectors_[i];
    }
    for (std::size_t m = 0; m < runs_.size(); ++m) {
        const auto& run = runs_[m];
        auto& header = messages_[m].msg_hdr;
        header = {};
        header.msg_namelen = toSockaddr(pending_[run.firstDatagram], family_, receivers_[m]);
        header.msg_name = &receivers_[m];
        header.msg_iov = &ordered_[run.firstVector];
        header.msg_iovlen = run.count;
        if (run.count < 2) continue;
        header.msg_control = controls_.data() + m * kSegmentControlBytes;
        header.msg_controllen = kSegmentControlBytes;
        cmsghdr* control = CMSG_FIRSTHDR(&header);
        control->cmsg_level = SOL_UDP;
        control->cmsg_type = UDP_SEGMENT;
        control->cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
        const auto segment = static_cast<std::uint16_t>(run.segmentBytes);
        std::memcpy(CMSG_DATA(control), &segment, sizeof segment);
    }
    return runs_.size();
}

std::size_t SendBatch::sendEach(int fd, std::size_t index) {
    const auto& run = runs_[index];
    const auto& header = messages_[index].msg_hdr;
    std::size_t refused = 0;
    for (std::size_t k = 0; k < run.count; ++k) {
        msghdr single{};
        single.msg_name = header.msg_name;
        single.msg_namelen = header.msg_namelen;
        single.msg_iov = &ordered_[run.firstVector + k];
        single.msg_iovlen = 1;
        ssize_t result = 0;
        do {
            result = ::sendmsg(fd, &single, MSG_DONTWAIT);
        } while (result < 0 && errno == EINTR);
        if (result < 0) ++refused;
    }
    return refused;
}

std::size_t SendBatch::flush(int fd) {
    if (count_ == 0) return 0;
    if (family_ == AF_UNSPEC) family_ = socketFamily(fd);
    const std::size_t messageCount = arrange();
    std::size_t sent = 0;
    std::size_t refused = 0;
    while (sent < messageCount) {
        const int result = ::sendmmsg(fd, messages_.data() + sent,
                                      static_cast<unsigned>(messageCount - sent), MSG_DONTWAIT);
        if (result > 0) {
            for (std::size_t m = sent; m < sent + static_cast<std::size_t>(result); ++m) {
                if (runs_[m].count < 2) continue;
                segmentedDatagrams_ += runs_[m].count;
                ++segmentedMessages_;
            }
            sent += static_cast<std::size_t>(result);
            continue;
        }
        if (result < 0 && errno == EINTR) continue;
        // The first message of the rest was refused. A full buffer or an unreachable receiver
        // refuses its datagrams however they are sent; a kernel or route that cannot segment
        // (no UDP_SEGMENT: EINVAL, ENOPROTOOPT; no checksum offload on the way: EIO) gets them
        // one by one, now and from then on.
        const int reason = result < 0 ? errno : 0;
        if (runs_[sent].count > 1 &&
            (reason == EINVAL || reason == EIO || reason == ENOPROTOOPT || reason == EOPNOTSUPP)) {
            segmenting_ = false;
            refused += sendEach(fd, sent);
        } else {
            refused += runs_[sent].count;
        }
        ++sent;
    }
    count_ = 0;
    pending_.clear();
    keys_.clear();
    return refused;
}

}  // namespace pulsemeet::media
