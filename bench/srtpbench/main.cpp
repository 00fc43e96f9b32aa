// pulsemeet-srtpbench: SRTP protect and unprotect cost per 1200-byte RTP packet, Debian's libsrtp2
// (which does AES-GCM through NSS) against SrtpSession (our AES-GCM over OpenSSL, libsrtp2 for
// AES-CM), one thread, same keys and packets; then SrtpSession as the transport uses it for a
// forwarded packet, from the plain packet's buffer into the datagram (copy+SrtpSession: copied
// there and protected in place; SrtpSession-into: protected out of place). Prints one line per
// profile and implementation:
//   profile impl protect_ns unprotect_ns
// then AesGcmCipher alone, a seal and an open by text length, on each engine (OpenSSL's EVP and the
// CPU's own instructions, AesGcmX86, where it has them), 12 bytes of additional data as an RTP
// header:
//   engine key_bits text_bytes seal_ns open_ns
// Usage: pulsemeet-srtpbench [packets] (default 60000).
#include <srtp2/srtp.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "media/AesGcmCipher.hpp"
#include "media/SrtpSession.hpp"

namespace {

using namespace pulsemeet::media;
using Clock = std::chrono::steady_clock;
using Bytes = std::vector<std::uint8_t>;

constexpr std::size_t kPayload = 1200 - 12;

struct FreeSrtp {
    void operator()(srtp_t session) const { srtp_dealloc(session); }
};
using Libsrtp = std::unique_ptr<srtp_ctx_t_, FreeSrtp>;

Libsrtp libsrtpSession(SrtpProfile profile, Bytes key, bool inbound) {
    srtp_policy_t policy{};
    switch (profile) {
        case SrtpProfile::aeadAes128Gcm:
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
            break;
        case SrtpProfile::aeadAes256Gcm:
            srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtp);
            break;
        case SrtpProfile::aes128CmHmacSha1_80:
            srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
            break;
    }
    policy.rtcp = policy.rtp;
    policy.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
    policy.key = key.data();
    policy.window_size = 1024;
    policy.allow_repeat_tx = 1;
    srtp_t session = nullptr;
    if (srtp_create(&session, &policy) != srtp_err_status_ok) std::abort();
    return Libsrtp(session);
}

void writePacket(std::span<std::uint8_t> buffer, std::uint16_t sequence) {
    const std::array<std::uint8_t, 12> header = {0x80,
                                                 0x60,
                                                 static_cast<std::uint8_t>(sequence >> 8),
                                                 static_cast<std::uint8_t>(sequence),
                                                 0,
                                                 0,
                                                 0,
                                                 1,
                                                 0x11,
                                                 0x22,
                                                 0x33,
                                                 0x44};
    std::copy(header.begin(), header.end(), buffer.begin());
    std::fill_n(buffer.begin() + 12, kPayload, std::uint8_t{0x5A});
}

double nsPer(Clock::duration total, std::size_t packets) {
    return std::chrono::duration<double, std::nano>(total).count() / static_cast<double>(packets);
}

const char* name(SrtpProfile profile) {
    switch (profile) {
        case SrtpProfile::aeadAes128Gcm:
            return "AEAD_AES_128_GCM";
        case SrtpProfile::aeadAes256Gcm:
            return "AEAD_AES_256_GCM";
        case SrtpProfile::aes128CmHmacSha1_80:
            return "AES_CM_128_HMAC_SHA1_80";
    }
    return "?";
}

// Packets go through in batches of kBatch buffers (protect the batch, then unprotect it), so that
// the figures are the cipher's and not the cache misses of a large working set.
constexpr std::size_t kBatch = 64;

template <typename Protect, typename Unprotect>
void run(const char* profile, const char* impl, std::size_t packets, Protect protect,
         Unprotect unprotect) {
    std::vector<Bytes> buffers(kBatch, Bytes(1200 + SrtpSession::kMaxProtectOverhead));
    std::array<std::size_t, kBatch> lengths{};
    Clock::duration protecting{};
    Clock::duration unprotecting{};
    for (std::size_t done = 0; done < packets; done += kBatch) {
        for (std::size_t i = 0; i < kBatch; ++i)
            writePacket(buffers[i], static_cast<std::uint16_t>(done + i));
        const auto start = Clock::now();
        for (std::size_t i = 0; i < kBatch; ++i) lengths[i] = protect(buffers[i]);
        const auto protectedAt = Clock::now();
        for (std::size_t i = 0; i < kBatch; ++i) unprotect(std::span(buffers[i]).first(lengths[i]));
        unprotecting += Clock::now() - protectedAt;
        protecting += protectedAt - start;
    }
    const auto total = packets / kBatch * kBatch;
    std::printf("%s %s %.0f %.0f\n", profile, impl, nsPer(protecting, total),
                nsPer(unprotecting, total));
}

// What the transport does with a forwarded packet: the plain packet stays in the consumer's
// buffer and its SRTP form is written to the datagram that is sent. `copyFirst`: copied there and
// protected in place (how it was done before the out-of-place protect); otherwise protected from
// one buffer into the other.
void runIntoDatagram(const char* profile, const char* impl, std::size_t packets, SrtpSession& out,
                     SrtpSession& in, bool copyFirst) {
    std::vector<Bytes> plain(kBatch, Bytes(1200));
    std::vector<Bytes> datagrams(kBatch, Bytes(1200 + SrtpSession::kMaxProtectOverhead));
    std::array<std::size_t, kBatch> lengths{};
    Clock::duration protecting{};
    Clock::duration unprotecting{};
    for (std::size_t done = 0; done < packets; done += kBatch) {
        for (std::size_t i = 0; i < kBatch; ++i)
            writePacket(plain[i], static_cast<std::uint16_t>(done + i));
        const auto start = Clock::now();
        for (std::size_t i = 0; i < kBatch; ++i) {
            SrtpResult result;
            if (copyFirst) {
                std::copy(plain[i].begin(), plain[i].end(), datagrams[i].begin());
                result = out.protectRtp(datagrams[i], plain[i].size());
            } else {
                result = out.protectRtp(std::span<const std::uint8_t>(plain[i]), datagrams[i]);
            }
            if (result.status != SrtpStatus::ok) std::abort();
            lengths[i] = result.length;
        }
        const auto protectedAt = Clock::now();
        for (std::size_t i = 0; i < kBatch; ++i) {
            if (in.unprotectRtp(std::span(datagrams[i]).first(lengths[i])).status != SrtpStatus::ok)
                std::abort();
        }
        unprotecting += Clock::now() - protectedAt;
        protecting += protectedAt - start;
    }
    const auto total = packets / kBatch * kBatch;
    std::printf("%s %s %.0f %.0f\n", profile, impl, nsPer(protecting, total),
                nsPer(unprotecting, total));
}

void measure(SrtpProfile profile, std::size_t packets) {
    const auto [keyLength, saltLength] = srtpKeyLengths(profile);
    Bytes key(keyLength + saltLength);
    std::iota(key.begin(), key.end(), std::uint8_t{1});
    {
        auto out = libsrtpSession(profile, key, false);
        auto in = libsrtpSession(profile, key, true);
        run(
            name(profile), "libsrtp2", packets,
            [&](Bytes& buffer) {
                int length = 1200;
                if (srtp_protect(out.get(), buffer.data(), &length) != srtp_err_status_ok)
                    std::abort();
                return static_cast<std::size_t>(length);
            },
            [&](std::span<std::uint8_t> packet) {
                int length = static_cast<int>(packet.size());
                if (srtp_unprotect(in.get(), packet.data(), &length) != srtp_err_status_ok)
                    std::abort();
            });
    }
    {
        auto out = *SrtpSession::create(profile, key, SrtpSession::Direction::outbound);
        auto in = *SrtpSession::create(profile, key, SrtpSession::Direction::inbound);
        run(
            name(profile), "SrtpSession", packets,
            [&](Bytes& buffer) {
                const auto result = out.protectRtp(buffer, 1200);
                if (result.status != SrtpStatus::ok) std::abort();
                return result.length;
            },
            [&](std::span<std::uint8_t> packet) {
                if (in.unprotectRtp(packet).status != SrtpStatus::ok) std::abort();
            });
    }
    for (const bool copyFirst : {true, false}) {
        auto out = *SrtpSession::create(profile, key, SrtpSession::Direction::outbound);
        auto in = *SrtpSession::create(profile, key, SrtpSession::Direction::inbound);
        runIntoDatagram(name(profile), copyFirst ? "copy+SrtpSession" : "SrtpSession-into", packets,
                        out, in, copyFirst);
    }
}

void measureCipher(AesGcmCipher::Engine engine, std::size_t keyLength, std::size_t packets) {
    const Bytes key(keyLength, 7);
    auto sealer = AesGcmCipher::create(key, AesGcmCipher::Direction::seal, engine);
    auto opener = AesGcmCipher::create(key, AesGcmCipher::Direction::open, engine);
    if (!sealer || !opener) std::abort();
    const char* name = sealer->onCpuInstructions() ? "cpu" : "openssl";
    const Bytes header(12, 0x80);
    std::array<std::uint8_t, AesGcmCipher::kIvLength> iv{};
    std::array<std::uint8_t, AesGcmCipher::kTagLength> tag{};
    for (const std::size_t length : {0, 100, 300, 1100}) {
        Bytes text(length, 1);
        Clock::duration sealing{};
        Clock::duration opening{};
        for (std::size_t i = 0; i < packets; ++i) {
            iv[0] = static_cast<std::uint8_t>(i);
            const auto start = Clock::now();
            if (!sealer->seal(iv, header, {}, std::span<std::uint8_t>(text), tag)) std::abort();
            const auto sealedAt = Clock::now();
            if (!opener->open(iv, header, {}, text, tag)) std::abort();
            opening += Clock::now() - sealedAt;
            sealing += sealedAt - start;
        }
        std::printf("%s %zu %zu %.0f %.0f\n", name, keyLength * 8, length, nsPer(sealing, packets),
                    nsPer(opening, packets));
    }
}

}  // namespace

int main(int argc, char** argv) {
    // Sequence numbers stay inside the replay window's reach: at most 60000 packets per pass.
    const std::size_t packets = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 60000;
    if (packets == 0 || packets > 60000) {
        std::fprintf(stderr, "usage: pulsemeet-srtpbench [packets, 1..60000]\n");
        return 2;
    }
    // srtp_init may run once per process only; SrtpSession makes that call for its AES-CM
    // profile, so a session of that profile initialises libsrtp for the direct calls too.
    if (!SrtpSession::create(SrtpProfile::aes128CmHmacSha1_80, Bytes(30, 1),
                             SrtpSession::Direction::inbound))
        return 1;
    std::printf("profile impl protect_ns_per_1200B unprotect_ns_per_1200B\n");
    for (const auto profile :
         {SrtpProfile::aeadAes128Gcm, SrtpProfile::aeadAes256Gcm, SrtpProfile::aes128CmHmacSha1_80})
        measure(profile, packets);
    std::printf("engine key_bits text_bytes seal_ns open_ns\n");
    for (const auto engine : {AesGcmCipher::Engine::openssl, AesGcmCipher::Engine::fastest})
        for (const std::size_t keyLength : {16, 32}) measureCipher(engine, keyLength, packets);
    return 0;
}
