#include "media/SrtpKeyDerivation.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <memory>

namespace pulsemeet::media {

namespace {

struct FreeCipherContext {
    void operator()(EVP_CIPHER_CTX* context) const { EVP_CIPHER_CTX_free(context); }
};

constexpr std::size_t kMaxSaltLength = 14;
constexpr std::size_t kLabelByte = 7;  // key_id (label || 48-bit index) ends at byte 13

}  // namespace

std::optional<std::vector<std::uint8_t>> deriveSrtpKey(std::span<const std::uint8_t> masterKey,
                                                       std::span<const std::uint8_t> masterSalt,
                                                       SrtpKeyLabel label, std::size_t length) {
    const EVP_CIPHER* cipher = masterKey.size() == 16   ? EVP_aes_128_ctr()
                               : masterKey.size() == 32 ? EVP_aes_256_ctr()
                                                        : nullptr;
    if (!cipher || masterSalt.size() > kMaxSaltLength || length > 64) return std::nullopt;
    std::array<std::uint8_t, 16> counter{};
    std::copy(masterSalt.begin(), masterSalt.end(), counter.begin());
    counter[kLabelByte] ^= static_cast<std::uint8_t>(label);
    std::unique_ptr<EVP_CIPHER_CTX, FreeCipherContext> context(EVP_CIPHER_CTX_new());
    std::vector<std::uint8_t> keystream(length, 0);
    int written = 0;
    if (!context ||
        EVP_EncryptInit_ex(context.get(), cipher, nullptr, masterKey.data(), counter.data()) != 1 ||
        EVP_EncryptUpdate(context.get(), keystream.data(), &written, keystream.data(),
                          static_cast<int>(length)) != 1 ||
        static_cast<std::size_t>(written) != length) {
        return std::nullopt;
    }
    return keystream;
}

}  // namespace pulsemeet::media
