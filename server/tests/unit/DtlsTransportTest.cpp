// DtlsCertificate, DtlsContext and DtlsTransport against an in-process OpenSSL DTLS client (the
// browser's role), over memory: no sockets, the test drives both sides and the clock.
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "MediaTestClient.hpp"
#include "media/DtlsCertificate.hpp"
#include "media/DtlsContext.hpp"
#include "media/DtlsTransport.hpp"
#include "media/SrtpSession.hpp"

namespace pulsemeet::media {
namespace {

using Clock = DtlsTransport::Clock;
using mediatest::Bytes;
using mediatest::TestDtlsClient;

// Passes datagrams back and forth until neither side has anything more to say.
void handshake(TestDtlsClient& client, DtlsTransport& server, Clock::time_point now) {
    for (int round = 0; round < 20; ++round) {
        auto fromClient = client.step();
        for (const auto& datagram : fromClient) server.receive(datagram, now);
        auto fromServer = server.takeOutgoing();
        for (const auto& datagram : fromServer) client.receive(datagram);
        if (fromClient.empty() && fromServer.empty() && round > 0) break;
    }
    client.step();
}

class DtlsTransportTest : public ::testing::Test {
  protected:
    DtlsContext context_{DtlsCertificate::generate()};
    Clock::time_point start_ = Clock::now();
};

TEST(DtlsCertificateTest, FingerprintIsTheSha256OfTheDerCertificate) {
    const auto certificate = DtlsCertificate::generate();
    const auto& fingerprint = certificate.fingerprintSha256();
    ASSERT_EQ(fingerprint.size(), 32u * 3 - 1);
    for (std::size_t i = 0; i < fingerprint.size(); ++i) {
        if (i % 3 == 2) {
            EXPECT_EQ(fingerprint[i], ':');
        } else {
            EXPECT_TRUE(std::isxdigit(static_cast<unsigned char>(fingerprint[i])) &&
                        !std::islower(static_cast<unsigned char>(fingerprint[i])))
                << fingerprint;
        }
    }
    EXPECT_EQ(certificateFingerprint(certificate.certificate(), "sha-256"), fingerprint);
    EXPECT_EQ(certificateFingerprint(certificate.certificate(), "md5"), "");
}

TEST(DtlsCertificateTest, IsSelfSignedP256WithSha256) {
    const auto certificate = DtlsCertificate::generate();
    X509* x509 = certificate.certificate();
    EXPECT_EQ(X509_get_signature_nid(x509), NID_ecdsa_with_SHA256);
    EXPECT_EQ(X509_verify(x509, certificate.privateKey()), 1);  // signed by its own key
    EXPECT_EQ(EVP_PKEY_get_base_id(certificate.privateKey()), EVP_PKEY_EC);
    EXPECT_EQ(EVP_PKEY_get_bits(certificate.privateKey()), 256);
    EXPECT_NE(DtlsCertificate::generate().fingerprintSha256(), certificate.fingerprintSha256());
}

TEST_F(DtlsTransportTest, HandshakeDerivesMatchingKeysWithAesGcmFirst) {
    TestDtlsClient client("SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_256_GCM:SRTP_AEAD_AES_128_GCM");
    DtlsTransport server(context_, client.fingerprint(), start_);
    handshake(client, server, start_);

    ASSERT_EQ(server.state(), DtlsTransport::State::connected) << server.failureReason();
    ASSERT_TRUE(client.done());
    EXPECT_EQ(client.peerFingerprint(), context_.fingerprintSha256());
    // Our preference wins over the client's order: AES-128-GCM.
    const auto& keys = server.srtpKeys();
    ASSERT_TRUE(keys.has_value());
    EXPECT_EQ(keys->profile, SrtpProfile::aeadAes128Gcm);
    EXPECT_STREQ(client.selectedProfile(), "SRTP_AEAD_AES_128_GCM");
    const auto clientKeys = client.exportKeys(keys->profile);
    EXPECT_EQ(keys->remoteKeySalt, clientKeys.localKeySalt);
    EXPECT_EQ(keys->localKeySalt, clientKeys.remoteKeySalt);
    EXPECT_EQ(keys->localKeySalt.size(), 16u + 12u);
    EXPECT_NE(keys->localKeySalt, keys->remoteKeySalt);
    EXPECT_FALSE(server.nextTimeout(start_).has_value());
}

TEST_F(DtlsTransportTest, FallsBackToAesCmWhenTheClientHasNoGcm) {
    TestDtlsClient client("SRTP_AES128_CM_SHA1_80");
    DtlsTransport server(context_, client.fingerprint(), start_);
    handshake(client, server, start_);
    ASSERT_EQ(server.state(), DtlsTransport::State::connected) << server.failureReason();
    EXPECT_EQ(server.srtpKeys()->profile, SrtpProfile::aes128CmHmacSha1_80);
    EXPECT_EQ(server.srtpKeys()->remoteKeySalt,
              client.exportKeys(SrtpProfile::aes128CmHmacSha1_80).localKeySalt);
}

TEST_F(DtlsTransportTest, ExportedKeysCarrySrtpBothWays) {
    TestDtlsClient client("SRTP_AEAD_AES_128_GCM");
    DtlsTransport server(context_, client.fingerprint(), start_);
    handshake(client, server, start_);
    ASSERT_EQ(server.state(), DtlsTransport::State::connected) << server.failureReason();
    const auto& serverKeys = *server.srtpKeys();
    const auto clientKeys = client.exportKeys(serverKeys.profile);

    auto serverOut = SrtpSession::create(serverKeys.profile, serverKeys.localKeySalt,
                                         SrtpSession::Direction::outbound);
    auto clientIn = SrtpSession::create(clientKeys.profile, clientKeys.remoteKeySalt,
                                        SrtpSession::Direction::inbound);
    auto clientOut = SrtpSession::create(clientKeys.profile, clientKeys.localKeySalt,
                                         SrtpSession::Direction::outbound);
    auto serverIn = SrtpSession::create(serverKeys.profile, serverKeys.remoteKeySalt,
                                        SrtpSession::Direction::inbound);
    ASSERT_TRUE(serverOut && clientIn && clientOut && serverIn);

    const Bytes rtp = {0x80, 0x60, 0x00, 0x01, 0, 0, 0, 1, 0x11, 0x22, 0x33, 0x44, 'h', 'i'};
    for (auto [out, in] :
         {std::pair{&*serverOut, &*clientIn}, std::pair{&*clientOut, &*serverIn}}) {
        Bytes buffer(rtp.size() + SrtpSession::kMaxProtectOverhead);
        std::copy(rtp.begin(), rtp.end(), buffer.begin());
        const auto protectedPacket = out->protectRtp(buffer, rtp.size());
        ASSERT_EQ(protectedPacket.status, SrtpStatus::ok);
        buffer.resize(protectedPacket.length);
        const auto plain = in->unprotectRtp(buffer);
        ASSERT_EQ(plain.status, SrtpStatus::ok);
        EXPECT_EQ(Bytes(buffer.begin(), buffer.begin() + plain.length), rtp);
    }
}

TEST_F(DtlsTransportTest, WrongFingerprintFails) {
    TestDtlsClient client("SRTP_AEAD_AES_128_GCM");
    TestDtlsClient someoneElse("SRTP_AEAD_AES_128_GCM");
    DtlsTransport server(context_, someoneElse.fingerprint(), start_);
    handshake(client, server, start_);
    EXPECT_EQ(server.state(), DtlsTransport::State::failed);
    EXPECT_EQ(server.failure(), DtlsTransport::Failure::fingerprintMismatch);
    EXPECT_FALSE(server.srtpKeys().has_value());
    EXPECT_FALSE(server.failureReason().empty());
}

TEST_F(DtlsTransportTest, FingerprintOfAnotherAlgorithmIsCheckedWithIt) {
    TestDtlsClient client("SRTP_AEAD_AES_128_GCM");
    auto fingerprint = client.fingerprint();
    fingerprint.algorithm = "sha-384";  // the sha-256 value under another name must not pass
    DtlsTransport server(context_, fingerprint, start_);
    handshake(client, server, start_);
    EXPECT_EQ(server.failure(), DtlsTransport::Failure::fingerprintMismatch);
}

TEST_F(DtlsTransportTest, ClientWithoutSrtpFails) {
    TestDtlsClient client(nullptr);
    DtlsTransport server(context_, client.fingerprint(), start_);
    handshake(client, server, start_);
    EXPECT_EQ(server.state(), DtlsTransport::State::failed);
    EXPECT_EQ(server.failure(), DtlsTransport::Failure::noSrtpProfile);
}

TEST_F(DtlsTransportTest, GarbageIsCountedAndHarmless) {
    TestDtlsClient client("SRTP_AEAD_AES_128_GCM");
    DtlsTransport server(context_, client.fingerprint(), start_);
    std::mt19937 random(7);
    std::uniform_int_distribution<int> byte(0, 255);
    for (int i = 0; i < 500; ++i) {
        Bytes datagram(static_cast<std::size_t>(1 + i % 300));
        for (auto& b : datagram) b = static_cast<std::uint8_t>(byte(random));
        // Half of them look like DTLS handshake records, so they reach OpenSSL; the others start
        // like RTP.
        datagram[0] = i % 2 == 0 ? 22 : 0x80;
        server.receive(datagram, start_);
    }
    server.receive(Bytes(5000, 22), start_);  // over maxDatagramBytes
    EXPECT_EQ(server.state(), DtlsTransport::State::connecting) << server.failureReason();
    const auto counters = server.counters();
    EXPECT_EQ(counters.datagramsReceived, 501u);
    EXPECT_GE(counters.datagramsRefused, 251u);  // the RTP-like ones and the oversized one
    // The real client still gets through afterwards.
    handshake(client, server, start_);
    EXPECT_EQ(server.state(), DtlsTransport::State::connected) << server.failureReason();
}

TEST_F(DtlsTransportTest, StalledHandshakeTimesOutOnTheOwnersClock) {
    TestDtlsClient client("SRTP_AEAD_AES_128_GCM");
    DtlsTransport server(context_, client.fingerprint(), start_);
    // The ClientHello arrives, then the client goes silent.
    for (const auto& datagram : client.step()) server.receive(datagram, start_);
    EXPECT_FALSE(server.takeOutgoing().empty());
    const auto next = server.nextTimeout(start_);
    ASSERT_TRUE(next.has_value());
    EXPECT_LE(*next, start_ + std::chrono::seconds(10));

    server.handleTimeout(start_ + std::chrono::seconds(9));
    EXPECT_EQ(server.state(), DtlsTransport::State::connecting);
    server.handleTimeout(start_ + std::chrono::seconds(10));
    EXPECT_EQ(server.state(), DtlsTransport::State::failed);
    EXPECT_EQ(server.failure(), DtlsTransport::Failure::handshakeTimeout);
    EXPECT_FALSE(server.nextTimeout(start_ + std::chrono::seconds(10)).has_value());
    // And nothing it receives afterwards is processed.
    for (const auto& datagram : client.step()) server.receive(datagram, start_);
    EXPECT_EQ(server.state(), DtlsTransport::State::failed);
}

TEST_F(DtlsTransportTest, SilentClientTimesOutWithoutAnyDatagram) {
    DtlsTransport server(context_, {"sha-256", context_.fingerprintSha256()}, start_);
    EXPECT_EQ(server.nextTimeout(start_), start_ + std::chrono::seconds(10));
    server.handleTimeout(start_ + std::chrono::seconds(11));
    EXPECT_EQ(server.failure(), DtlsTransport::Failure::handshakeTimeout);
}

TEST_F(DtlsTransportTest, DatagramsStayUnderTheMtu) {
    TestDtlsClient client("SRTP_AEAD_AES_128_GCM");
    DtlsTransport::Options options;
    options.mtu = 300;  // small enough that the server's certificate flight must be fragmented
    DtlsTransport server(context_, client.fingerprint(), start_, options);
    std::size_t sent = 0;
    for (int round = 0; round < 20 && server.state() == DtlsTransport::State::connecting; ++round) {
        for (const auto& datagram : client.step()) server.receive(datagram, start_);
        for (const auto& datagram : server.takeOutgoing()) {
            EXPECT_LE(datagram.size(), 300u);
            ++sent;
            client.receive(datagram);
        }
    }
    EXPECT_EQ(server.state(), DtlsTransport::State::connected) << server.failureReason();
    EXPECT_GT(sent, 3u);
}

TEST_F(DtlsTransportTest, CloseSendsCloseNotify) {
    TestDtlsClient client("SRTP_AEAD_AES_128_GCM");
    DtlsTransport server(context_, client.fingerprint(), start_);
    handshake(client, server, start_);
    ASSERT_EQ(server.state(), DtlsTransport::State::connected);
    server.close();
    EXPECT_EQ(server.state(), DtlsTransport::State::closed);
    EXPECT_EQ(server.takeOutgoing().size(), 1u);  // the close_notify alert
}

TEST(DtlsClassifierTest, LooksLikeDtlsFollowsRfc7983) {
    EXPECT_TRUE(looksLikeDtls(Bytes(13, 22)));
    EXPECT_FALSE(looksLikeDtls(Bytes(12, 22)));
    EXPECT_FALSE(looksLikeDtls(Bytes(20, 0)));    // STUN
    EXPECT_FALSE(looksLikeDtls(Bytes(20, 128)));  // RTP
    EXPECT_TRUE(looksLikeDtls(Bytes(20, 63)));
    EXPECT_FALSE(looksLikeDtls(Bytes(20, 64)));
}

}  // namespace
}  // namespace pulsemeet::media
