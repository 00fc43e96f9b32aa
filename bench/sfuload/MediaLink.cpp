#include "MediaLink.hpp"

#include <netinet/udp.h>
#include <openssl/rand.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>

#include "media/PacketClassifier.hpp"
#include "media/StunMessage.hpp"

namespace pulsemeet::bench::sfu {

namespace asio = boost::asio;
using udp = asio::ip::udp;
using namespace std::chrono_literals;

namespace {

std::string randomToken(std::size_t bytes) {
    std::vector<unsigned char> random(bytes);
    if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1)
        throw std::runtime_error("no random bytes");
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string text;
    for (const auto byte : random) {
        text.push_back(kDigits[byte >> 4]);
        text.push_back(kDigits[byte & 0x0F]);
    }
    return text;
}

}  // namespace

MediaLink::MediaLink(asio::io_context& io, MediaLinkListener& listener)
    : listener_(listener),
      socket_(io),
      localUfrag_(randomToken(4)),
      localPassword_(randomToken(12)),
      // Both profiles browsers offer: pulsemeet picks AES-GCM, Janus may pick either.
      dtls_("SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80") {}

MediaLink::~MediaLink() {
    *alive_ = false;
    boost::system::error_code ignored;
    socket_.close(ignored);
}

void MediaLink::start(const udp::endpoint& server, std::string serverUfrag,
                      std::string serverPassword) {
    serverUfrag_ = std::move(serverUfrag);
    serverPassword_ = std::move(serverPassword);
    server_ = server;
    boost::system::error_code error;
    if (!socket_.is_open()) socket_.open(server.protocol(), error);
    if (!error) socket_.connect(server, error);
    if (!error) socket_.non_blocking(true, error);
    if (error) return fail("udp socket");
    // A deep receive buffer: a burst of key frames to 100 viewers must not overflow it while
    // this one thread is busy elsewhere.
    socket_.set_option(asio::socket_base::receive_buffer_size(1 << 20), error);
    const int on = 1;  // best effort: without it the kernel hands each segment on its own
    ::setsockopt(socket_.native_handle(), SOL_UDP, UDP_GRO, &on, sizeof on);
    state_ = State::checking;
    startedAt_ = Clock::now();
    sendBindingRequest();
    receiveNext();
}

std::uint16_t MediaLink::bindLocal(const asio::ip::address& local) {
    boost::system::error_code error;
    socket_.open(local.is_v4() ? udp::v4() : udp::v6(), error);
    if (!error) socket_.bind({local, 0}, error);
    if (error) return 0;
    return socket_.local_endpoint(error).port();
}

void MediaLink::tick(Clock::time_point now) {
    if (state_ == State::idle || state_ == State::failed) return;
    if (state_ != State::connected && now - startedAt_ > 10s)
        return fail(state_ == State::checking ? "no ICE success response in 10 s"
                                              : "DTLS not done in 10 s");
    if (now >= nextBinding_) sendBindingRequest();
    // Memory BIOs have no DTLS timer: a lost flight is resent by stepping again.
    if (state_ == State::handshaking && now - lastDtlsFlight_ > 500ms) stepDtls();
}

void MediaLink::sendBindingRequest() {
    nextBinding_ = Clock::now() + (state_ == State::checking ? 100ms : 2s);
    const auto request = media::mediatest::stunBindingRequest(
        serverUfrag_, localUfrag_, serverPassword_, true, transactionSeed_++);
    sendRaw(request);
}

bool MediaLink::answerBindingRequest(std::span<const std::uint8_t> datagram) {
    const auto request = media::StunMessage::parse(datagram);
    if (!request || request->messageClass() != media::StunClass::request) return false;
    // RFC 8445 §7.3: USERNAME "<this side's ufrag>:<theirs>", keyed with this side's password.
    const auto username = request->username();
    if (request->method() != media::stun::kMethodBinding || !username ||
        !username->starts_with(localUfrag_ + ":") ||
        !request->messageIntegrityValid(localPassword_))
        return true;  // not for this link: no answer, as a browser gives none
    const auto address = server_.address();
    const auto mapped = address.is_v4()
                            ? media::Endpoint::v4(address.to_v4().to_bytes(), server_.port())
                            : media::Endpoint::v6(address.to_v6().to_bytes(), server_.port());
    media::StunMessageWriter writer(stunResponseBuffer_, media::StunClass::success,
                                    media::stun::kMethodBinding, request->transactionId());
    writer.addXorMappedAddress(mapped).addMessageIntegrity(localPassword_).addFingerprint();
    if (!writer.ok()) return true;
    ++bindingRequestsAnswered_;
    sendRaw(writer.bytes());
    return true;
}

void MediaLink::receiveNext() {
    socket_.async_wait(udp::socket::wait_read,
                       [this, alive = alive_](const boost::system::error_code& error) {
                           if (!*alive || error == asio::error::operation_aborted) return;
                           if (!error) drainSocket();
                           if (state_ != State::failed) receiveNext();
                       });
}

void MediaLink::drainSocket() {
    // A bounded number of reads per wake-up, so that one busy link does not starve the others.
    for (int reads = 0; reads < 64 && state_ != State::failed; ++reads) {
        iovec vector{receiveBuffer_.data(), receiveBuffer_.size()};
        alignas(cmsghdr) std::array<std::uint8_t, CMSG_SPACE(sizeof(int))> control{};
        msghdr header{};
        header.msg_iov = &vector;
        header.msg_iovlen = 1;
        header.msg_control = control.data();
        header.msg_controllen = control.size();
        const ssize_t length = ::recvmsg(socket_.native_handle(), &header, MSG_DONTWAIT);
        if (length < 0) return;  // nothing more waiting
        int segment = 0;
        for (cmsghdr* c = CMSG_FIRSTHDR(&header); c != nullptr; c = CMSG_NXTHDR(&header, c))
            if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO)
                std::memcpy(&segment, CMSG_DATA(c), sizeof segment);
        const auto total = static_cast<std::size_t>(length);
        const std::size_t step = segment > 0 ? static_cast<std::size_t>(segment) : total;
        for (std::size_t at = 0; at < total && state_ != State::failed; at += step)
            onDatagram({receiveBuffer_.data() + at, std::min(step, total - at)});
        if (step == 0) return;  // an empty datagram
    }
}

void MediaLink::onDatagram(std::span<std::uint8_t> datagram) {
    switch (media::classifyPacket(datagram)) {
        case media::PacketKind::stun:
            if (answerBindingRequest(datagram)) return;
            // A success response (class bits 0b10 in the type 0x0101) ends the checks.
            if (state_ == State::checking && datagram[0] == 0x01 && datagram[1] == 0x01) {
                state_ = State::handshaking;
                nextBinding_ = Clock::now() + 2s;
                stepDtls();
            }
            return;
        case media::PacketKind::dtls:
            if (state_ != State::handshaking) return;
            dtls_.receive(media::mediatest::Bytes(datagram.begin(), datagram.end()));
            stepDtls();
            return;
        case media::PacketKind::rtp:
            if (state_ != State::connected) return;
            if (const auto result = inbound_->unprotectRtp(datagram);
                result.status == media::SrtpStatus::ok)
                listener_.onPlainRtp(datagram.first(result.length));
            else
                ++unprotectFailures_;
            return;
        case media::PacketKind::rtcp:
            if (state_ != State::connected) return;
            if (const auto result = inbound_->unprotectRtcp(datagram);
                result.status == media::SrtpStatus::ok)
                listener_.onPlainRtcp(datagram.first(result.length));
            else
                ++unprotectFailures_;
            return;
        case media::PacketKind::unknown:
            return;
    }
}

void MediaLink::stepDtls() {
    lastDtlsFlight_ = Clock::now();
    for (const auto& datagram : dtls_.step()) sendRaw(datagram);
    if (!dtls_.done() || state_ == State::connected) return;
    const std::string_view selected = dtls_.selectedProfile();
    const auto profile = selected == "SRTP_AES128_CM_SHA1_80"
                             ? media::SrtpProfile::aes128CmHmacSha1_80
                             : media::SrtpProfile::aeadAes128Gcm;
    const auto keys = dtls_.exportKeys(profile);
    outbound_ = media::SrtpSession::create(keys.profile, keys.localKeySalt,
                                           media::SrtpSession::Direction::outbound);
    inbound_ = media::SrtpSession::create(keys.profile, keys.remoteKeySalt,
                                          media::SrtpSession::Direction::inbound);
    if (!outbound_ || !inbound_) return fail("no SRTP session");
    state_ = State::connected;
    listener_.onLinkConnected();
}

void MediaLink::sendRtp(std::span<const std::uint8_t> plain) {
    sendProtected(plain, false);
}

void MediaLink::sendRtcp(std::span<const std::uint8_t> plain) {
    sendProtected(plain, true);
}

void MediaLink::sendProtected(std::span<const std::uint8_t> plain, bool rtcp) {
    if (state_ != State::connected) return;
    if (plain.size() + media::SrtpSession::kMaxProtectOverhead > sendBuffer_.size()) return;
    std::copy(plain.begin(), plain.end(), sendBuffer_.begin());
    const auto result = rtcp ? outbound_->protectRtcp(sendBuffer_, plain.size())
                             : outbound_->protectRtp(sendBuffer_, plain.size());
    if (result.status != media::SrtpStatus::ok) {
        ++sendFailures_;
        return;
    }
    sendRaw({sendBuffer_.data(), result.length});
}

void MediaLink::sendRaw(std::span<const std::uint8_t> datagram) {
    boost::system::error_code error;
    socket_.send(asio::buffer(datagram.data(), datagram.size()), 0, error);
    if (error) ++sendFailures_;
}

void MediaLink::fail(const char* why) {
    if (state_ == State::failed) return;
    state_ = State::failed;
    listener_.onLinkFailed(why);
}

}  // namespace pulsemeet::bench::sfu
