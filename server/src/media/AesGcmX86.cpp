#include "media/AesGcmX86.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace pulsemeet::media {

#if !defined(__x86_64__)

bool AesGcmX86::supported() {
    return false;
}

std::optional<AesGcmX86> AesGcmX86::create(std::span<const std::uint8_t>) {
    return std::nullopt;
}

void AesGcmX86::seal(std::span<const std::uint8_t, kIvLength>, std::span<const std::uint8_t>,
                     std::span<const std::uint8_t>, std::span<const std::uint8_t>,
                     std::span<const std::uint8_t>, std::span<std::uint8_t>,
                     std::span<std::uint8_t, kTagLength>) const {}

bool AesGcmX86::open(std::span<const std::uint8_t, kIvLength>, std::span<const std::uint8_t>,
                     std::span<const std::uint8_t>, std::span<std::uint8_t>,
                     std::span<const std::uint8_t, kTagLength>) const {
    return false;
}

#else

bool AesGcmX86::supported() {
    return __builtin_cpu_supports("aes") && __builtin_cpu_supports("pclmul") &&
           __builtin_cpu_supports("sse4.1");
}

// Everything below is compiled for AES-NI, PCLMULQDQ and SSE4.1 and runs only once supported()
// said yes (create() asks first): nothing outside this region uses those instructions.
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("aes,pclmul,ssse3,sse4.1"))), \
                             apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("aes,pclmul,ssse3,sse4.1")
#endif

namespace {

using V = __m128i;

constexpr std::size_t kWide = 8;  // blocks per pass: one GHASH reduction per eight blocks

V load(const std::uint8_t* bytes) {
    return _mm_loadu_si128(reinterpret_cast<const V*>(bytes));
}

void store(std::uint8_t* bytes, V value) {
    _mm_storeu_si128(reinterpret_cast<V*>(bytes), value);
}

// GHASH's bits are numbered from the first byte's high bit; reversing the bytes makes a block an
// ordinary little-endian 128-bit number whose product PCLMULQDQ computes (one bit short, which
// reduce() shifts back).
V byteReverse(V value) {
    return _mm_shuffle_epi8(value,
                            _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

// --- AES key schedule (FIPS 197 §5.2), with AESKEYGENASSIST doing SubWord and RotWord --------

// Each word of the result is the XOR of the key's words up to it: w0, w0^w1, w0^w1^w2, ...
V prefixXor(V key) {
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    return _mm_xor_si128(key, _mm_slli_si128(key, 4));
}

// AES-128: the next round key from the last one.
template <int Rcon>
V nextKey128(V key) {
    return _mm_xor_si128(prefixXor(key),
                         _mm_shuffle_epi32(_mm_aeskeygenassist_si128(key, Rcon), 0xff));
}

// AES-256: an even round key from the two before it (RotWord, SubWord and Rcon of the odd one's
// last word), an odd one from the two before it (SubWord only of the even one's last word).
template <int Rcon>
V nextEvenKey256(V twoBack, V oneBack) {
    return _mm_xor_si128(prefixXor(twoBack),
                         _mm_shuffle_epi32(_mm_aeskeygenassist_si128(oneBack, Rcon), 0xff));
}

V nextOddKey256(V twoBack, V oneBack) {
    return _mm_xor_si128(prefixXor(twoBack),
                         _mm_shuffle_epi32(_mm_aeskeygenassist_si128(oneBack, 0), 0xaa));
}

void expand128(const std::uint8_t* key, V* roundKeys) {
    roundKeys[0] = load(key);
    roundKeys[1] = nextKey128<0x01>(roundKeys[0]);
    roundKeys[2] = nextKey128<0x02>(roundKeys[1]);
    roundKeys[3] = nextKey128<0x04>(roundKeys[2]);
    roundKeys[4] = nextKey128<0x08>(roundKeys[3]);
    roundKeys[5] = nextKey128<0x10>(roundKeys[4]);
    roundKeys[6] = nextKey128<0x20>(roundKeys[5]);
    roundKeys[7] = nextKey128<0x40>(roundKeys[6]);
    roundKeys[8] = nextKey128<0x80>(roundKeys[7]);
    roundKeys[9] = nextKey128<0x1b>(roundKeys[8]);
    roundKeys[10] = nextKey128<0x36>(roundKeys[9]);
}

void expand256(const std::uint8_t* key, V* roundKeys) {
    roundKeys[0] = load(key);
    roundKeys[1] = load(key + 16);
    roundKeys[2] = nextEvenKey256<0x01>(roundKeys[0], roundKeys[1]);
    roundKeys[3] = nextOddKey256(roundKeys[1], roundKeys[2]);
    roundKeys[4] = nextEvenKey256<0x02>(roundKeys[2], roundKeys[3]);
    roundKeys[5] = nextOddKey256(roundKeys[3], roundKeys[4]);
    roundKeys[6] = nextEvenKey256<0x04>(roundKeys[4], roundKeys[5]);
    roundKeys[7] = nextOddKey256(roundKeys[5], roundKeys[6]);
    roundKeys[8] = nextEvenKey256<0x08>(roundKeys[6], roundKeys[7]);
    roundKeys[9] = nextOddKey256(roundKeys[7], roundKeys[8]);
    roundKeys[10] = nextEvenKey256<0x10>(roundKeys[8], roundKeys[9]);
    roundKeys[11] = nextOddKey256(roundKeys[9], roundKeys[10]);
    roundKeys[12] = nextEvenKey256<0x20>(roundKeys[10], roundKeys[11]);
    roundKeys[13] = nextOddKey256(roundKeys[11], roundKeys[12]);
    roundKeys[14] = nextEvenKey256<0x40>(roundKeys[12], roundKeys[13]);
}

V encryptBlock(const V* roundKeys, int rounds, V block) {
    block = _mm_xor_si128(block, roundKeys[0]);
    for (int round = 1; round < rounds; ++round) block = _mm_aesenc_si128(block, roundKeys[round]);
    return _mm_aesenclast_si128(block, roundKeys[rounds]);
}

// --- GHASH over GF(2^128) mod x^128 + x^7 + x^2 + x + 1 ----------------------------------------

// A product before reduction: 256 bits.
struct Wide {
    V low;
    V high;
};

Wide multiplyWide(V a, V b) {
    const V middle =
        _mm_xor_si128(_mm_clmulepi64_si128(a, b, 0x10), _mm_clmulepi64_si128(a, b, 0x01));
    return {_mm_xor_si128(_mm_clmulepi64_si128(a, b, 0x00), _mm_slli_si128(middle, 8)),
            _mm_xor_si128(_mm_clmulepi64_si128(a, b, 0x11), _mm_srli_si128(middle, 8))};
}

Wide operator^(Wide a, Wide b) {
    return {_mm_xor_si128(a.low, b.low), _mm_xor_si128(a.high, b.high)};
}

// Shifting and reducing are linear, so a sum of products is reduced once (aggregated reduction,
// Gueron and Kounavis, "Intel Carry-Less Multiplication Instruction and its Usage for Computing
// the GCM Mode").
V reduce(Wide product) {
    // The reflected operands' product is one bit short: shift the 256 bits left by one.
    V low = product.low;
    V high = product.high;
    V lowCarries = _mm_srli_epi32(low, 31);
    V highCarries = _mm_srli_epi32(high, 31);
    const V acrossHalves = _mm_srli_si128(lowCarries, 12);
    lowCarries = _mm_slli_si128(lowCarries, 4);
    highCarries = _mm_slli_si128(highCarries, 4);
    low = _mm_or_si128(_mm_slli_epi32(low, 1), lowCarries);
    high = _mm_or_si128(_mm_or_si128(_mm_slli_epi32(high, 1), highCarries), acrossHalves);
    // Fold the low half into the high one by x^128 = x^7 + x^2 + x + 1, in two phases.
    const V first = _mm_xor_si128(_mm_xor_si128(_mm_slli_epi32(low, 31), _mm_slli_epi32(low, 30)),
                                  _mm_slli_epi32(low, 25));
    const V firstCarry = _mm_srli_si128(first, 4);
    low = _mm_xor_si128(low, _mm_slli_si128(first, 12));
    V second = _mm_xor_si128(_mm_srli_epi32(low, 1), _mm_srli_epi32(low, 2));
    second = _mm_xor_si128(second, _mm_srli_epi32(low, 7));
    second = _mm_xor_si128(second, firstCarry);
    return _mm_xor_si128(high, _mm_xor_si128(low, second));
}

V multiply(V a, V b) {
    return reduce(multiplyWide(a, b));
}

// One seal or open: the counter and the running GHASH.
class Pass {
  public:
    Pass(const V* roundKeys, int rounds, const V* powers,
         std::span<const std::uint8_t, AesGcmX86::kIvLength> iv)
        : roundKeys_(roundKeys), rounds_(rounds), powers_(powers) {
        std::uint8_t block[16] = {};
        std::memcpy(block, iv.data(), iv.size());
        ivBlock_ = load(block);
    }

    // The additional data, `aad` then `moreAad` as one, padded with zeros to a whole block.
    void authenticate(std::span<const std::uint8_t> aad, std::span<const std::uint8_t> moreAad) {
        aadLength_ = aad.size() + moreAad.size();
        alignas(16) std::uint8_t blocks[16 * kWide];
        std::size_t held = 0;  // bytes in `blocks`
        for (const auto piece : {aad, moreAad}) {
            for (std::size_t at = 0; at < piece.size();) {
                const std::size_t take = std::min(piece.size() - at, sizeof(blocks) - held);
                std::memcpy(blocks + held, piece.data() + at, take);
                held += take;
                at += take;
                if (held == sizeof(blocks)) {
                    hashBlocks(reinterpret_cast<const V*>(blocks), kWide);
                    held = 0;
                }
            }
        }
        if (held % 16 != 0) std::memset(blocks + held, 0, 16 - held % 16);
        if (held > 0) hashBlocks(reinterpret_cast<const V*>(blocks), (held + 15) / 16);
    }

    // The text, `first` then `second` as one, into `out`; `sealing` says whether `out` is
    // what GHASH reads (sealing) or the input is (opening).
    void crypt(std::span<const std::uint8_t> first, std::span<const std::uint8_t> second,
               std::uint8_t* out, bool sealing) {
        textLength_ = first.size() + second.size();
        // Whole passes of eight blocks straight from each piece; what is left of the first
        // piece is gathered with the start of the second, as GCM's stream runs on across them.
        const std::size_t firstWhole = first.size() - first.size() % (16 * kWide);
        for (std::size_t at = 0; at < firstWhole; at += 16 * kWide)
            cryptEight(first.data() + at, out + at, sealing);
        std::size_t done = firstWhole;
        std::size_t fromSecond = 0;
        if (const std::size_t tail = first.size() - firstWhole; tail > 0) {
            std::uint8_t gathered[16 * kWide];
            std::memcpy(gathered, first.data() + firstWhole, tail);
            fromSecond = std::min(second.size(), sizeof(gathered) - tail);
            if (fromSecond > 0) std::memcpy(gathered + tail, second.data(), fromSecond);
            cryptLast(gathered, out + done, tail + fromSecond, sealing);
            done += tail + fromSecond;
        }
        const std::size_t rest = second.size() - fromSecond;
        const std::size_t restWhole = rest - rest % (16 * kWide);
        for (std::size_t at = 0; at < restWhole; at += 16 * kWide)
            cryptEight(second.data() + fromSecond + at, out + done + at, sealing);
        if (rest > restWhole)
            cryptLast(second.data() + fromSecond + restWhole, out + done + restWhole,
                      rest - restWhole, sealing);
    }

    // GHASH's last block (the lengths in bits) and the tag.
    V tag() {
        // The lengths block as GHASH reads it, already in reversed byte order.
        const V lengths = _mm_set_epi64x(static_cast<long long>(aadLength_ * 8),
                                         static_cast<long long>(textLength_ * 8));
        hash_ = multiply(_mm_xor_si128(hash_, lengths), powers_[0]);
        return _mm_xor_si128(byteReverse(hash_), encryptBlock(roundKeys_, rounds_, counter(1)));
    }

  private:
    V counter(std::uint32_t value) const {
        return _mm_insert_epi32(ivBlock_, static_cast<int>(__builtin_bswap32(value)), 3);
    }

    // GHASH over `count` (1..8) blocks with H^count..H^1 and one reduction.
    void hashBlocks(const V* blocks, std::size_t count) {
        Wide sum = multiplyWide(_mm_xor_si128(hash_, byteReverse(blocks[0])), powers_[count - 1]);
#pragma GCC unroll 8
        for (std::size_t i = 1; i < count; ++i)
            sum = sum ^ multiplyWide(byteReverse(blocks[i]), powers_[count - 1 - i]);
        hash_ = reduce(sum);
    }

    // The next eight counters through AES side by side, XORed onto `blocks`.
    void keystreamOnto(V* blocks) {
        V stream[kWide];
#pragma GCC unroll 8
        for (std::size_t i = 0; i < kWide; ++i)
            stream[i] =
                _mm_xor_si128(counter(next_ + static_cast<std::uint32_t>(i)), roundKeys_[0]);
        next_ += kWide;
        for (int round = 1; round < rounds_; ++round) {
            const V key = roundKeys_[round];
#pragma GCC unroll 8
            for (std::size_t i = 0; i < kWide; ++i) stream[i] = _mm_aesenc_si128(stream[i], key);
        }
        const V last = roundKeys_[rounds_];
#pragma GCC unroll 8
        for (std::size_t i = 0; i < kWide; ++i)
            blocks[i] = _mm_xor_si128(blocks[i], _mm_aesenclast_si128(stream[i], last));
    }

    // Eight whole blocks.
    void cryptEight(const std::uint8_t* in, std::uint8_t* out, bool sealing) {
        V text[kWide];
        V result[kWide];
#pragma GCC unroll 8
        for (std::size_t i = 0; i < kWide; ++i) result[i] = text[i] = load(in + 16 * i);
        keystreamOnto(result);
#pragma GCC unroll 8
        for (std::size_t i = 0; i < kWide; ++i) store(out + 16 * i, result[i]);
        hashBlocks(sealing ? result : text, kWide);  // GHASH reads the cipher text
    }

    // The text's last 1..128 bytes (the counters past them are computed and unused).
    void cryptLast(const std::uint8_t* in, std::uint8_t* out, std::size_t length, bool sealing) {
        alignas(16) std::uint8_t text[16 * kWide] = {};
        alignas(16) std::uint8_t result[16 * kWide];
        std::memcpy(text, in, length);
        auto* blocks = reinterpret_cast<V*>(result);
#pragma GCC unroll 8
        for (std::size_t i = 0; i < kWide; ++i) blocks[i] = load(text + 16 * i);
        keystreamOnto(blocks);
        std::memcpy(out, result, length);
        // GHASH reads the cipher text padded with zeros.
        std::memset(result + length, 0, sizeof(result) - length);
        hashBlocks(reinterpret_cast<const V*>(sealing ? result : text), (length + 15) / 16);
    }

    const V* roundKeys_;
    int rounds_;
    const V* powers_;  // H^1 .. H^8, reversed
    V ivBlock_;
    V hash_ = _mm_setzero_si128();
    std::uint32_t next_ = 2;  // counter 1 is the tag's
    std::uint64_t aadLength_ = 0;
    std::uint64_t textLength_ = 0;
};

// `rounds`: 10 for a 16-byte key, 14 for a 32-byte one.
void expandKey(std::span<const std::uint8_t> key, int rounds, V* roundKeys, V* powers) {
    if (rounds == 10)
        expand128(key.data(), roundKeys);
    else
        expand256(key.data(), roundKeys);
    powers[0] = byteReverse(encryptBlock(roundKeys, rounds, _mm_setzero_si128()));  // H
    for (std::size_t i = 1; i < kWide; ++i) powers[i] = multiply(powers[i - 1], powers[0]);
}

}  // namespace

void AesGcmX86::seal(std::span<const std::uint8_t, kIvLength> iv, std::span<const std::uint8_t> aad,
                     std::span<const std::uint8_t> moreAad, std::span<const std::uint8_t> first,
                     std::span<const std::uint8_t> second, std::span<std::uint8_t> sealed,
                     std::span<std::uint8_t, kTagLength> tag) const {
    Pass pass(reinterpret_cast<const V*>(roundKeys_.data()), rounds_,
              reinterpret_cast<const V*>(hPowers_.data()), iv);
    pass.authenticate(aad, moreAad);
    pass.crypt(first, second, sealed.data(), true);
    store(tag.data(), pass.tag());
}

bool AesGcmX86::open(std::span<const std::uint8_t, kIvLength> iv, std::span<const std::uint8_t> aad,
                     std::span<const std::uint8_t> moreAad, std::span<std::uint8_t> text,
                     std::span<const std::uint8_t, kTagLength> tag) const {
    Pass pass(reinterpret_cast<const V*>(roundKeys_.data()), rounds_,
              reinterpret_cast<const V*>(hPowers_.data()), iv);
    pass.authenticate(aad, moreAad);
    pass.crypt(text, {}, text.data(), false);
    std::uint8_t computed[kTagLength];
    store(computed, pass.tag());
    return CRYPTO_memcmp(computed, tag.data(), kTagLength) == 0;
}

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

std::optional<AesGcmX86> AesGcmX86::create(std::span<const std::uint8_t> key) {
    if ((key.size() != 16 && key.size() != 32) || !supported()) return std::nullopt;
    AesGcmX86 cipher;
    cipher.rounds_ = key.size() == 16 ? 10 : 14;
    expandKey(key, cipher.rounds_, reinterpret_cast<V*>(cipher.roundKeys_.data()),
              reinterpret_cast<V*>(cipher.hPowers_.data()));
    return cipher;
}

#endif

AesGcmX86::~AesGcmX86() {
    OPENSSL_cleanse(roundKeys_.data(), sizeof(roundKeys_));
    OPENSSL_cleanse(hPowers_.data(), sizeof(hPowers_));
}

}  // namespace pulsemeet::media
