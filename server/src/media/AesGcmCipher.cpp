#include "media/AesGcmCipher.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <climits>

namespace pulsemeet::media {

void AesGcmCipher::Free::operator()(evp_cipher_ctx_st* context) const {
    EVP_CIPHER_CTX_free(context);
}

AesGcmCipher::AesGcmCipher(std::unique_ptr<evp_cipher_ctx_st, Free> context)
    : context_(std::move(context)) {}

AesGcmCipher::AesGcmCipher(AesGcmX86 own) : own_(std::move(own)) {}

AesGcmCipher::AesGcmCipher(AesGcmCipher&&) noexcept = default;
AesGcmCipher& AesGcmCipher::operator=(AesGcmCipher&&) noexcept = default;
AesGcmCipher::~AesGcmCipher() = default;

std::optional<AesGcmCipher> AesGcmCipher::create(std::span<const std::uint8_t> key,
                                                 Direction direction, Engine engine) {
    if (engine == Engine::fastest)
        if (auto own = AesGcmX86::create(key)) return AesGcmCipher(std::move(*own));
    const EVP_CIPHER* cipher = key.size() == 16   ? EVP_aes_128_gcm()
                               : key.size() == 32 ? EVP_aes_256_gcm()
                                                  : nullptr;
    if (!cipher) return std::nullopt;
    std::unique_ptr<evp_cipher_ctx_st, Free> context(EVP_CIPHER_CTX_new());
    // The key schedule is made once here; each packet then sets only its IV (key nullptr).
    if (!context || EVP_CipherInit_ex(context.get(), cipher, nullptr, key.data(), nullptr,
                                      direction == Direction::seal ? 1 : 0) != 1) {
        return std::nullopt;
    }
    return AesGcmCipher(std::move(context));
}

bool AesGcmCipher::start(std::span<const std::uint8_t, kIvLength> iv,
                         std::span<const std::uint8_t> aad, std::span<const std::uint8_t> moreAad,
                         Plain in, std::span<std::uint8_t> out) {
    if (aad.size() > INT_MAX || moreAad.size() > INT_MAX || in.first.size() > INT_MAX ||
        in.second.size() > INT_MAX || out.size() != in.first.size() + in.second.size())
        return false;
    int written = 0;
    // enc = -1: the direction the context was made with.
    if (EVP_CipherInit_ex(context_.get(), nullptr, nullptr, nullptr, iv.data(), -1) != 1)
        return false;
    const auto feed = [&](std::span<const std::uint8_t> bytes, std::uint8_t* to) {
        return bytes.empty() || EVP_CipherUpdate(context_.get(), to, &written, bytes.data(),
                                                 static_cast<int>(bytes.size())) == 1;
    };
    // GCM is a stream: a piece that ends inside a block is continued by the next one.
    return feed(aad, nullptr) && feed(moreAad, nullptr) && feed(in.first, out.data()) &&
           feed(in.second, out.data() + in.first.size());
}

bool AesGcmCipher::seal(std::span<const std::uint8_t, kIvLength> iv,
                        std::span<const std::uint8_t> aad, std::span<const std::uint8_t> moreAad,
                        Plain plain, std::span<std::uint8_t> sealed,
                        std::span<std::uint8_t, kTagLength> tag) {
    if (own_) {
        if (sealed.size() != plain.first.size() + plain.second.size()) return false;
        own_->seal(iv, aad, moreAad, plain.first, plain.second, sealed, tag);
        return true;
    }
    int written = 0;
    std::uint8_t none[16];  // GCM's final step writes no text; OpenSSL still wants a buffer
    if (!start(iv, aad, moreAad, plain, sealed) ||
        EVP_CipherFinal_ex(context_.get(), none, &written) != 1)
        return false;
    // The tag through the provider's parameters directly: EVP_CIPHER_CTX_ctrl(GET_TAG) is
    // OpenSSL 3 translating the old control into these same parameters on every packet.
    OSSL_PARAM params[] = {
        OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag.data(), kTagLength),
        OSSL_PARAM_END};
    return EVP_CIPHER_CTX_get_params(context_.get(), params) == 1;
}

bool AesGcmCipher::open(std::span<const std::uint8_t, kIvLength> iv,
                        std::span<const std::uint8_t> aad, std::span<const std::uint8_t> moreAad,
                        std::span<std::uint8_t> text,
                        std::span<const std::uint8_t, kTagLength> tag) {
    if (own_) return own_->open(iv, aad, moreAad, text, tag);
    if (!start(iv, aad, moreAad, Plain{text, {}}, text)) return false;
    // OpenSSL takes a non-const pointer for the expected tag, and copies it; set as a parameter
    // directly for the same reason as the tag in seal().
    std::uint8_t expected[kTagLength];
    std::copy(tag.begin(), tag.end(), expected);
    OSSL_PARAM params[] = {
        OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, expected, kTagLength), OSSL_PARAM_END};
    int written = 0;
    std::uint8_t none[16];
    return EVP_CIPHER_CTX_set_params(context_.get(), params) == 1 &&
           EVP_CipherFinal_ex(context_.get(), none, &written) == 1;
}

}  // namespace pulsemeet::media
