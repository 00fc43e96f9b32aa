#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "media/AesGcmX86.hpp"

// OpenSSL's context type, declared here so that this header does not pull evp.h in.
struct evp_cipher_ctx_st;

// AES-GCM (128 or 256-bit key, 96-bit IV, 16-byte tag) on the CPU's AES-NI and carry-less
// multiply where it has them (AesGcmX86), else over one OpenSSL EVP context that keeps its key
// schedule: a packet only sets its IV, so sealing or opening one costs the cipher itself and no
// allocation. One direction per object: `seal` on an encrypting one, `open` on a decrypting one.
// Additional authenticated data comes in up to two pieces (SRTCP authenticates its header and its
// index trailer, which are not adjacent). Sealing reads the plain text, in up to two pieces, and
// writes the cipher text to another buffer (or the same one: in place), so that a forwarded packet
// is encrypted straight from the publisher's payload into the datagram that is sent; opening is in
// place.
namespace pulsemeet::media {

class AesGcmCipher {
  public:
    static constexpr std::size_t kIvLength = 12;
    static constexpr std::size_t kTagLength = 16;
    enum class Direction { seal, open };
    // `fastest`: AesGcmX86 where the CPU has its instructions, else OpenSSL; `openssl`: OpenSSL
    // always (the reference AesGcmX86Test and pulsemeet-srtpbench compare with).
    enum class Engine { fastest, openssl };

    // nullopt when the key is neither 16 nor 32 bytes (or OpenSSL refuses it).
    static std::optional<AesGcmCipher> create(std::span<const std::uint8_t> key,
                                              Direction direction, Engine engine = Engine::fastest);

    AesGcmCipher(AesGcmCipher&&) noexcept;
    AesGcmCipher& operator=(AesGcmCipher&&) noexcept;
    ~AesGcmCipher();

    // The plain text of a seal: `first` then `second` (often empty), encrypted as one text.
    struct Plain {
        std::span<const std::uint8_t> first;
        std::span<const std::uint8_t> second;
    };

    // Encrypts `plain` into `sealed` (as long as both pieces; `first` the same bytes as its
    // part of `sealed` or not overlapping it at all, `second` not overlapping it) and writes the
    // tag.
    bool seal(std::span<const std::uint8_t, kIvLength> iv, std::span<const std::uint8_t> aad,
              std::span<const std::uint8_t> moreAad, Plain plain, std::span<std::uint8_t> sealed,
              std::span<std::uint8_t, kTagLength> tag);
    // Encrypts `text` in place and writes the tag.
    bool seal(std::span<const std::uint8_t, kIvLength> iv, std::span<const std::uint8_t> aad,
              std::span<const std::uint8_t> moreAad, std::span<std::uint8_t> text,
              std::span<std::uint8_t, kTagLength> tag) {
        return seal(iv, aad, moreAad, Plain{text, {}}, text, tag);
    }
    // Decrypts `text` in place; false (text garbage) when the tag does not match.
    bool open(std::span<const std::uint8_t, kIvLength> iv, std::span<const std::uint8_t> aad,
              std::span<const std::uint8_t> moreAad, std::span<std::uint8_t> text,
              std::span<const std::uint8_t, kTagLength> tag);

    // Whether this cipher runs on AesGcmX86 (else OpenSSL).
    bool onCpuInstructions() const { return own_.has_value(); }

  private:
    struct Free {
        void operator()(evp_cipher_ctx_st* context) const;
    };

    explicit AesGcmCipher(std::unique_ptr<evp_cipher_ctx_st, Free> context);
    explicit AesGcmCipher(AesGcmX86 own);
    // Sets the IV, feeds the AAD, and processes `in` into `out` (as long as its two pieces).
    bool start(std::span<const std::uint8_t, kIvLength> iv, std::span<const std::uint8_t> aad,
               std::span<const std::uint8_t> moreAad, Plain in, std::span<std::uint8_t> out);

    std::optional<AesGcmX86> own_;                      // or:
    std::unique_ptr<evp_cipher_ctx_st, Free> context_;  // OpenSSL's
};

}  // namespace pulsemeet::media
