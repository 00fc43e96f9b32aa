#include "media/MediaWorker.hpp"

#include <netinet/in.h>
#include <openssl/rand.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "media/DatagramBatch.hpp"
#include "media/DtlsCertificate.hpp"
#include "media/DtlsContext.hpp"
#include "media/FanOutRound.hpp"
#include "media/PacketClassifier.hpp"
#include "media/StunMessage.hpp"
#include "media/TcpIceListener.hpp"
#include "media/UdpSendSocket.hpp"

namespace pulsemeet::media {

namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace {

udp::endpoint toUdp(const Endpoint& endpoint) {
    if (endpoint.family == Endpoint::Family::ipv4) {
        asio::ip::address_v4::bytes_type bytes{};
        std::copy_n(endpoint.address.begin(), bytes.size(), bytes.begin());
        return {asio::ip::address_v4(bytes), endpoint.port};
    }
    return {asio::ip::address_v6(endpoint.address), endpoint.port};
}

// ICE credentials from the CSPRNG: 64 bits of ufrag, 128 of password (RFC 8839 §5.4 asks for at
// least 24 and 128 bits), in hex, which is inside ice-char.
std::string randomHex(std::size_t bytes) {
    std::vector<unsigned char> random(bytes);
    if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1)
        throw std::runtime_error("media: no random bytes for ICE credentials");
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(bytes * 2);
    for (const auto byte : random) {
        hex.push_back(kDigits[byte >> 4]);
        hex.push_back(kDigits[byte & 0x0F]);
    }
    return hex;
}

// Don't-fragment on every datagram, without enforcing a path MTU (IP_PMTUDISC_PROBE): the kernel
// then gives an unconnected socket's datagrams IP ID 0 instead of drawing one from its hashed
// per-destination counters (__ip_select_ident, about 3 % of the server's samples when forwarding,
// docs/performance.md). Nothing we send needs fragmenting: DTLS flights are cut at 1200 bytes,
// RTP is a browser's (about 1200) plus a 16-byte tag. Best effort; an IPv6 socket carries IPv4
// peers as v4-mapped, so both levels.
void setDontFragment(int fd) {
    const int probe = IP_PMTUDISC_PROBE;
    ::setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &probe, sizeof probe);
    const int probe6 = IPV6_PMTUDISC_PROBE;
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &probe6, sizeof probe6);
}

}  // namespace

struct MediaWorker::Impl final : DatagramSink {
    static constexpr int kSocketBufferBytes = 4 << 20;
    // Datagrams per recvmmsg, and batches read per wake-up (then the loop runs timers and
    // posted work before reading on).
    static constexpr std::size_t kReceiveBatchSize = 32;
    // Datagrams per sendmmsg: wide enough for what one round of reading fans out to a room of
    // a hundred (a frame's two or three packets each). Each subscriber's packets of a frame
    // leave as one segmented message (UDP GSO, DatagramBatch.hpp) when they share a flush:
    // FanOutRound puts them next to each other, and a flush of 256 measured cheaper and with a
    // lower p99 than one of 32; 512 was no cheaper than 256 (docs/performance.md). 512 KiB of
    // slots, once per worker.
    static constexpr std::size_t kSendBatchSize = 256;
    static constexpr std::size_t kDatagramBytes = 2048;
    static constexpr int kReceiveRounds = 8;

    struct Entry {
        std::unique_ptr<WebRtcTransport> transport;
        std::shared_ptr<WebRtcTransportListener> listener;
    };

    explicit Impl(Options workerOptions)
        : options(std::move(workerOptions)),
          dtlsContext(DtlsCertificate::generate()),
          socket(io),
          timer(io) {
        boost::system::error_code error;
        const auto address = asio::ip::make_address(options.bindAddress, error);
        if (error)
            throw std::runtime_error("media: bad bind address " + options.bindAddress + ": " +
                                     error.message());
        const udp::endpoint local(address, options.port);
        socket.open(local.protocol(), error);
        if (!error) socket.bind(local, error);
        if (!error) socket.non_blocking(true, error);  // a full send buffer drops, never blocks
        // Deep socket buffers (best effort: the kernel caps them at net.core.rmem_max/wmem_max):
        // a burst (a key frame to many subscribers, a flood) queues while the thread is busy or
        // descheduled instead of being dropped at the default ~200 KB.
        if (!error) {
            boost::system::error_code ignored;
            socket.set_option(asio::socket_base::receive_buffer_size(kSocketBufferBytes), ignored);
            socket.set_option(asio::socket_base::send_buffer_size(kSocketBufferBytes), ignored);
            setDontFragment(socket.native_handle());
            // Best effort too: without it, arrival times are when the batch was read.
            ReceiveBatch::enableArrivalTimes(socket.native_handle());
        }
        if (error)
            throw std::runtime_error("media: cannot bind UDP " + options.bindAddress + ":" +
                                     std::to_string(options.port) + ": " + error.message());
        boundPort = socket.local_endpoint().port();
        // Sends leave from a socket of their own when the kernel allows it (UdpSendSocket.hpp
        // says why); from this one otherwise.
        sender = UdpSendSocket::openBeside(socket.native_handle(), kSocketBufferBytes);
        if (sender) setDontFragment(sender->fd());
        if (options.tcpPort) {
            TcpIceListener::Options tcpOptions;
            tcpOptions.bindAddress = options.bindAddress;
            tcpOptions.port = *options.tcpPort;
            tcpOptions.maxConnections = options.maxTcpConnections;
            tcpOptions.limits = options.tcpLimits;
            tcp.emplace(io, std::move(tcpOptions),
                        [this](std::span<std::uint8_t> packet, const Endpoint& from) {
                            const bool accepted = handlePacket(packet, from, Clock::now());
                            flushSends();  // what the packet caused goes out with this handler
                            return accepted;
                        });
        }
    }

    // Queued, and sent with the rest of the burst by flushSends() (sendmmsg) at the end of the
    // handler that produced it: every handler of this thread ends with a flush.
    void sendTo(std::span<const std::uint8_t> datagram, const Endpoint& to) override {
        if (to.protocol == Endpoint::Protocol::tcp) {
            if (tcp) tcp->send(datagram, to);
            return;
        }
        if (sendBatch.full()) flushSends();
        if (sendBatch.add(datagram, to)) return;
        boost::system::error_code error;  // larger than a batch slot: on its own
        socket.send_to(asio::buffer(datagram.data(), datagram.size()), toUdp(to), 0, error);
        if (error) ++counters.sendFailed;
    }

    // A slot of the batch, for a UDP receiver: the transport protects straight into it.
    std::span<std::uint8_t> slotFor(const Endpoint& to) override {
        if (to.protocol == Endpoint::Protocol::tcp) return {};
        if (sendBatch.full()) flushSends();
        return sendBatch.slot();
    }

    void commitSlot(std::size_t length, const Endpoint& to) override {
        sendBatch.commit(length, to);
    }

    void flushSends() {
        counters.sendFailed += sendBatch.flush(sender ? sender->fd() : socket.native_handle());
    }

    // Waits until the socket is readable, then reads what is waiting in batches (recvmmsg), a
    // bounded number of them so that timers and posted work are not starved by a flood.
    void startReceive() {
        socket.async_wait(udp::socket::wait_read, [this](const boost::system::error_code& error) {
            if (error == asio::error::operation_aborted) return;
            if (!error) drainSocket();
            startReceive();
        });
    }

    void drainSocket() {
        for (int round = 0; round < kReceiveRounds; ++round) {
            const auto count = receiveBatch.receive(socket.native_handle());
            // A frame's packets read together go to each subscriber together (FanOutRound.hpp);
            // the round ends before the next read reuses the buffers.
            fanOut.open();
            for (std::size_t i = 0; i < count; ++i) {
                const auto datagram = receiveBatch.datagram(i);
                const auto from = receiveBatch.sender(i);
                fanOut.beforeDatagram(datagram, from);
                onDatagram(datagram, from, receiveBatch.arrivedAt(i));
            }
            fanOut.close();
            flushSends();
            if (count < kReceiveBatchSize) return;
        }
    }

    void onDatagram(std::span<std::uint8_t> datagram, const Endpoint& from,
                    Clock::time_point arrivedAt) {
        ++counters.datagramsReceived;
        handlePacket(datagram, from, arrivedAt);
    }

    // The one entry point of every packet, from the UDP socket or an ICE-TCP connection. True
    // when, once handled, its sender is a tuple some transport's ICE accepted.
    bool handlePacket(std::span<std::uint8_t> datagram, const Endpoint& from,
                      Clock::time_point now) {
        const auto found = route(datagram, from);
        if (!found.transport) {
            ++counters.droppedUnknownSender;
            return false;
        }
        auto& transport = *found.transport;
        transport.receive(datagram, from, now);
        // A binding request that ICE accepted adds the sender's tuple: its DTLS and SRTP now
        // find the transport by address. Most datagrams are media on a tuple that is mapped
        // already: that mapping is left as it is.
        const bool accepted = transport.ice().hasTuple(from);
        if (accepted && !found.mapped)
            byTuple.insert_or_assign(from, TupleRoute{found.id, &transport});
        if (transport.state() == WebRtcTransport::State::closed) forget(found.id);
        return accepted;
    }

    struct Routed {
        std::uint64_t id = 0;
        WebRtcTransport* transport = nullptr;  // null: nobody's
        bool mapped = false;                   // found by its sender's mapped tuple
    };

    // The transport a datagram is for. A STUN request names it: the ufrag its USERNAME starts
    // with (RFC 8445 §7.2.2: ours comes first), whatever transport its address was last seen
    // with (a new connection may come from an old one's address: a reused port, a NAT's
    // mapping). Anything else, and STUN naming no transport of ours, by sender address: one
    // hash lookup, which gives the transport itself.
    Routed route(std::span<const std::uint8_t> datagram, const Endpoint& from) {
        if (classifyPacket(datagram) == PacketKind::stun) {
            if (const auto named = transportNamedBy(datagram))
                return {*named, transports.at(*named).transport.get(), false};
        }
        if (const auto known = byTuple.find(from); known != byTuple.end())
            return {known->second.id, known->second.transport, true};
        return {};
    }

    std::optional<std::uint64_t> transportNamedBy(std::span<const std::uint8_t> stun) const {
        const auto message = StunMessage::parse(stun);
        if (!message) return std::nullopt;
        const auto ufrag = stunLocalUfrag(*message);
        if (!ufrag) return std::nullopt;
        const auto found = byUfrag.find(std::string(*ufrag));
        if (found == byUfrag.end()) return std::nullopt;
        return found->second;
    }

    IceCredentials freshCredentials() const {
        IceCredentials local;
        do {
            local = {randomHex(8), randomHex(16)};
        } while (byUfrag.contains(local.ufrag));
        return local;
    }

    TransportCreated create(TransportRequest request) {
        IceCredentials local = freshCredentials();
        const auto id = nextId++;
        auto transportOptions = options.transport;
        transportOptions.logId = id;
        auto transport = std::make_unique<WebRtcTransport>(
            local, std::move(request.remote), std::move(request.remoteFingerprint), dtlsContext,
            *this, *request.listener, Clock::now(), transportOptions);
        auto* created = transport.get();
        byUfrag.emplace(local.ufrag, id);
        transports.emplace(id, Entry{std::move(transport), std::move(request.listener)});
        if (!timerRunning) startTimer();
        return TransportCreated{id, std::move(local), created};
    }

    std::optional<IceCredentials> restartIce(std::uint64_t id, IceCredentials remote) {
        const auto found = transports.find(id);
        if (found == transports.end()) return std::nullopt;
        IceCredentials local = freshCredentials();
        byUfrag.emplace(local.ufrag, id);
        found->second.transport->restartIce(local, std::move(remote));
        return local;
    }

    void close(std::uint64_t id) {
        const auto found = transports.find(id);
        if (found == transports.end()) return;
        found->second.transport->close();
        forget(id);
    }

    void forget(std::uint64_t id) {
        const auto found = transports.find(id);
        if (found == transports.end()) return;
        countClose(found->second.transport->closeReason());
        counters.stunRejected += stunRejectedBy(*found->second.transport);
        std::erase_if(byTuple, [id](const auto& entry) { return entry.second.id == id; });
        // Every ufrag it had (an ICE restart adds one).
        std::erase_if(byUfrag, [id](const auto& entry) { return entry.second == id; });
        transports.erase(found);
        ++counters.transportsClosed;
    }

    void countClose(WebRtcTransport::CloseReason reason) {
        auto& closes = counters.closes;
        switch (reason) {
            case WebRtcTransport::CloseReason::handshakeTimeout:
                ++closes.handshakeTimeout;
                return;
            case WebRtcTransport::CloseReason::consentLost:
                ++closes.consentLost;
                return;
            case WebRtcTransport::CloseReason::dtlsFailed:
                ++closes.dtlsFailed;
                return;
            case WebRtcTransport::CloseReason::peerClosed:
                ++closes.peerClosed;
                return;
            case WebRtcTransport::CloseReason::none:  // forgotten while open: the owner's doing
            case WebRtcTransport::CloseReason::closedByOwner:
                ++closes.closedByServer;
                return;
        }
    }

    void startTimer() {
        timerRunning = true;
        timer.expires_after(options.tickInterval);
        timer.async_wait([this](const boost::system::error_code& error) {
            timerRunning = false;
            if (error) return;
            onTick();
            flushSends();
            if (!transports.empty()) startTimer();
        });
    }

    void onTick() {
        const auto now = Clock::now();
        closedIds.clear();
        for (auto& [id, entry] : transports) {
            auto& transport = *entry.transport;
            const auto due = transport.nextTimeout(now);
            if (due && *due <= now) transport.tick(now);
            if (transport.state() == WebRtcTransport::State::closed) closedIds.push_back(id);
        }
        for (const auto id : closedIds) forget(id);
        if (options.onTick) options.onTick(now);
        // Addresses whose consent expired no longer route to their transport.
        if (now >= nextTupleSweep) {
            nextTupleSweep = now + std::chrono::seconds(1);
            std::erase_if(byTuple, [](const auto& entry) {
                return !entry.second.transport->ice().hasTuple(entry.first);
            });
        }
    }

    static std::uint64_t stunRejectedBy(const WebRtcTransport& transport) {
        const auto& ice = transport.ice().counters();
        return ice.unauthorized + ice.badRequest + ice.malformed + ice.badFingerprint;
    }

    Stats snapshot() const {
        Stats stats = counters;
        stats.sentSegmented = sendBatch.segmentedDatagrams();
        stats.transports = transports.size();
        stats.sendsFromOwnSocket = sender.has_value();
        if (tcp) stats.tcp = tcp->counters();
        for (const auto& [id, entry] : transports)
            stats.stunRejected += stunRejectedBy(*entry.transport);
        return stats;
    }

    Options options;
    DtlsContext dtlsContext;
    asio::io_context io{1};
    udp::socket socket;
    std::optional<UdpSendSocket> sender;  // after the socket: leaves the port's group first
    asio::steady_timer timer;
    std::uint16_t boundPort = 0;
    ReceiveBatch receiveBatch{kReceiveBatchSize, kDatagramBytes};
    SendBatch sendBatch{kSendBatchSize, kDatagramBytes};
    FanOutRound fanOut{kReceiveBatchSize};
    std::unordered_map<std::uint64_t, Entry> transports;
    std::unordered_map<std::string, std::uint64_t> byUfrag;
    // A validated sender's transport, by address; forgotten with the transport.
    struct TupleRoute {
        std::uint64_t id = 0;
        WebRtcTransport* transport = nullptr;
    };
    std::unordered_map<Endpoint, TupleRoute, EndpointHash> byTuple;
    std::vector<std::uint64_t> closedIds;
    std::uint64_t nextId = 1;
    bool timerRunning = false;
    Clock::time_point nextTupleSweep{};
    Stats counters;
    std::optional<TcpIceListener> tcp;  // after the transports: its connections close first
    std::thread thread;                 // last: started once everything above exists
};

MediaWorker::MediaWorker(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {
    impl_->startReceive();
    impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

MediaWorker::~MediaWorker() {
    impl_->io.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
}

std::uint16_t MediaWorker::port() const {
    return impl_->boundPort;
}

std::optional<std::uint16_t> MediaWorker::tcpPort() const {
    if (!impl_->tcp) return std::nullopt;
    return impl_->tcp->port();
}

const std::string& MediaWorker::fingerprintSha256() const {
    return impl_->dtlsContext.fingerprintSha256();
}

void MediaWorker::createTransport(TransportRequest request,
                                  std::function<void(TransportCreated)> done) {
    if (!request.listener) throw std::invalid_argument("MediaWorker::createTransport: no listener");
    asio::post(impl_->io, [impl = impl_.get(), request = std::move(request),
                           done = std::move(done)]() mutable {
        auto created = impl->create(std::move(request));
        if (done) done(std::move(created));
        impl->flushSends();
    });
}

MediaWorker::TransportCreated MediaWorker::createTransportNow(TransportRequest request) {
    if (!request.listener) throw std::invalid_argument("MediaWorker::createTransport: no listener");
    return impl_->create(std::move(request));
}

std::optional<IceCredentials> MediaWorker::restartIceNow(std::uint64_t id, IceCredentials remote) {
    return impl_->restartIce(id, std::move(remote));
}

FanOutRound& MediaWorker::fanOutRound() {
    return impl_->fanOut;
}

void MediaWorker::post(std::function<void()> task) {
    asio::post(impl_->io, [impl = impl_.get(), task = std::move(task)] {
        task();
        impl->flushSends();
    });
}

void MediaWorker::closeTransport(std::uint64_t id) {
    asio::post(impl_->io, [impl = impl_.get(), id] {
        impl->close(id);
        impl->flushSends();
    });
}

void MediaWorker::stats(std::function<void(Stats)> done) {
    asio::post(impl_->io, [impl = impl_.get(), done = std::move(done)] { done(impl->snapshot()); });
}

}  // namespace pulsemeet::media
