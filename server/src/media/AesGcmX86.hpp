#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

// AES-GCM (128 or 256-bit key, 96-bit IV, 16-byte tag) on the CPU's own instructions: AES-NI for
// the block cipher and PCLMULQDQ for GHASH, as NIST SP 800-38D defines the mode. It exists for
// what OpenSSL 3.0's EVP interface costs on small packets: each seal there sets the IV through
// the provider's named parameters and runs through three calls and two heap objects, about 120 ns
// and several cold cache lines per packet before a byte is encrypted, while a forwarded audio
// packet is about 100 bytes (docs/performance.md, "An AES-GCM of our own"). Here a key is one
// contiguous, 16-byte aligned block (the round keys and H^1..H^8), and a packet is a counter
// mode pass and a GHASH pass over eight blocks at a time with one reduction per eight.
//
// Everything is constant time in the key and the data (the instructions are; no table lookups,
// the tag compared with CRYPTO_memcmp). `supported()` says whether this CPU has the
// instructions; AesGcmCipher falls back to OpenSSL where it does not. Checked against OpenSSL on
// random keys, texts and splits (AesGcmX86Test) and against the specification's vectors.
namespace pulsemeet::media {

class AesGcmX86 {
  public:
    static constexpr std::size_t kIvLength = 12;
    static constexpr std::size_t kTagLength = 16;

    // This CPU has AES-NI, PCLMULQDQ and SSE4.1 (false on anything but x86-64).
    static bool supported();
    // nullopt when the key is neither 16 nor 32 bytes or the CPU lacks the instructions.
    static std::optional<AesGcmX86> create(std::span<const std::uint8_t> key);

    // Encrypts `first` then `second` as one text into `sealed` (as long as both; `first` the same
    // bytes as its part of `sealed` or not overlapping it, `second` not overlapping it) and writes
    // the tag. The additional data is `aad` then `moreAad`, as one.
    void seal(std::span<const std::uint8_t, kIvLength> iv, std::span<const std::uint8_t> aad,
              std::span<const std::uint8_t> moreAad, std::span<const std::uint8_t> first,
              std::span<const std::uint8_t> second, std::span<std::uint8_t> sealed,
              std::span<std::uint8_t, kTagLength> tag) const;
    // Decrypts `text` in place; false (text garbage) when the tag does not match.
    bool open(std::span<const std::uint8_t, kIvLength> iv, std::span<const std::uint8_t> aad,
              std::span<const std::uint8_t> moreAad, std::span<std::uint8_t> text,
              std::span<const std::uint8_t, kTagLength> tag) const;

    // Wipes the key schedule.
    ~AesGcmX86();
    AesGcmX86(const AesGcmX86&) = default;
    AesGcmX86& operator=(const AesGcmX86&) = default;

  private:
    using Block = std::array<std::uint8_t, 16>;
    static constexpr std::size_t kMaxRounds = 14;
    static constexpr std::size_t kPowers = 8;

    AesGcmX86() = default;

    // Byte for byte what the x86 code loads: round keys 0..rounds, then H^1..H^8 (byte-reversed).
    alignas(64) std::array<Block, kMaxRounds + 1> roundKeys_{};
    alignas(16) std::array<Block, kPowers> hPowers_{};
    int rounds_ = 0;
};

}  // namespace pulsemeet::media
