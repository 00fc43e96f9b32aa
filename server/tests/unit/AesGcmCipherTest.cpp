// AesGcmCipher against the GCM specification's own test vectors (McGrew and Viega, "The Galois/
// Counter Mode of Operation", test cases 4 and 16: AES-128 and AES-256, 60 bytes of text, 20 of
// additional data): sealing in place, out of place and from two pieces of text gives the
// published cipher text and tag (the tag read through OpenSSL's parameters), opening gives the text
// back, and a wrong tag or changed additional data is refused (the expected tag set through the
// parameters). Each with both engines: the CPU's instructions (AesGcmX86, where it has them)
// and OpenSSL.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "HexBytes.hpp"
#include "media/AesGcmCipher.hpp"

namespace pulsemeet::media {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes hex(std::string_view text) {
    return mediatest::hexBytes(text);
}

struct Vector {
    const char* name;
    std::string_view key;
    std::string_view ciphertext;
    std::string_view tag;
};

constexpr std::string_view kIv = "cafebabefacedbaddecaf888";
constexpr std::string_view kPlain =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e24"
    "49a6b525b16aedf5aa0de657ba637b39";
constexpr std::string_view kAad = "feedfacedeadbeeffeedfacedeadbeefabaddad2";

const Vector kVectors[] = {
    {"AesGcm128", "feffe9928665731c6d6a8f9467308308",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5a"
     "ac84aa051ba30b396a0aac973d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47"},
    {"AesGcm256", "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b10"
     "56828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
};

class AesGcmCipherTest : public ::testing::TestWithParam<std::tuple<Vector, AesGcmCipher::Engine>> {
  protected:
    static const Vector& vector() { return std::get<0>(GetParam()); }
    static std::optional<AesGcmCipher> create(std::span<const std::uint8_t> key,
                                              AesGcmCipher::Direction direction) {
        return AesGcmCipher::create(key, direction, std::get<1>(GetParam()));
    }

    Bytes key_ = hex(vector().key);
    Bytes iv_ = hex(kIv);
    Bytes plain_ = hex(kPlain);
    Bytes aad_ = hex(kAad);
    Bytes ciphertext_ = hex(vector().ciphertext);
    Bytes tag_ = hex(vector().tag);

    std::span<const std::uint8_t, AesGcmCipher::kIvLength> iv() const {
        return std::span<const std::uint8_t>(iv_).first<AesGcmCipher::kIvLength>();
    }
    // The additional data in the two pieces the cipher takes (SRTCP's are not adjacent).
    std::span<const std::uint8_t> aadHead() const { return std::span(aad_).first(8); }
    std::span<const std::uint8_t> aadTail() const { return std::span(aad_).subspan(8); }
};

TEST_P(AesGcmCipherTest, SealsOutOfPlaceAndInPlaceToThePublishedVector) {
    auto cipher = create(key_, AesGcmCipher::Direction::seal);
    ASSERT_TRUE(cipher);
    Bytes out(plain_.size(), 0);
    std::array<std::uint8_t, AesGcmCipher::kTagLength> tag{};
    ASSERT_TRUE(cipher->seal(iv(), aadHead(), aadTail(), {plain_, {}}, out, tag));
    EXPECT_EQ(out, ciphertext_);
    EXPECT_EQ(Bytes(tag.begin(), tag.end()), tag_);
    EXPECT_EQ(plain_, hex(kPlain));  // the input is only read

    Bytes text = plain_;  // the same context again, in place
    tag = {};
    ASSERT_TRUE(cipher->seal(iv(), aadHead(), aadTail(), std::span<std::uint8_t>(text), tag));
    EXPECT_EQ(text, ciphertext_);
    EXPECT_EQ(Bytes(tag.begin(), tag.end()), tag_);
}

// A forwarded packet's text comes in two pieces (SplitRtpPacket.hpp): split anywhere, in or
// between blocks, the pieces seal to the same cipher text and tag as the whole.
TEST_P(AesGcmCipherTest, SealsTextInTwoPiecesSplitAnywhereToThePublishedVector) {
    auto cipher = create(key_, AesGcmCipher::Direction::seal);
    ASSERT_TRUE(cipher);
    const std::span<const std::uint8_t> plain(plain_);
    for (std::size_t split = 0; split <= plain.size(); ++split) {
        Bytes out(plain.size(), 0);
        std::array<std::uint8_t, AesGcmCipher::kTagLength> tag{};
        ASSERT_TRUE(cipher->seal(iv(), aadHead(), aadTail(),
                                 {plain.first(split), plain.subspan(split)}, out, tag))
            << split;
        EXPECT_EQ(out, ciphertext_) << "split at " << split;
        EXPECT_EQ(Bytes(tag.begin(), tag.end()), tag_) << "split at " << split;
    }
    Bytes tooShort(plain.size() - 1, 0);
    std::array<std::uint8_t, AesGcmCipher::kTagLength> tag{};
    EXPECT_FALSE(cipher->seal(iv(), aadHead(), aadTail(), {plain.first(10), plain.subspan(10)},
                              tooShort, tag))
        << "the output must be as long as both pieces";
}

TEST_P(AesGcmCipherTest, OpensThePublishedVectorAndRefusesAWrongTagOrAad) {
    auto cipher = create(key_, AesGcmCipher::Direction::open);
    ASSERT_TRUE(cipher);
    const auto tag = std::span<const std::uint8_t>(tag_).first<AesGcmCipher::kTagLength>();
    Bytes text = ciphertext_;
    ASSERT_TRUE(cipher->open(iv(), aadHead(), aadTail(), text, tag));
    EXPECT_EQ(text, plain_);

    Bytes wrongTag = tag_;
    wrongTag.back() ^= 0x01;
    text = ciphertext_;
    EXPECT_FALSE(cipher->open(iv(), aadHead(), aadTail(), text,
                              std::span<const std::uint8_t>(wrongTag).first<16>()));
    Bytes otherAad = aad_;
    otherAad[0] ^= 0x01;
    text = ciphertext_;
    EXPECT_FALSE(cipher->open(iv(), std::span<const std::uint8_t>(otherAad), {}, text, tag));
    text = ciphertext_;  // and the context still opens the real one afterwards
    ASSERT_TRUE(cipher->open(iv(), aadHead(), aadTail(), text, tag));
    EXPECT_EQ(text, plain_);
}

INSTANTIATE_TEST_SUITE_P(GcmSpec, AesGcmCipherTest,
                         ::testing::Combine(::testing::ValuesIn(kVectors),
                                            ::testing::Values(AesGcmCipher::Engine::fastest,
                                                              AesGcmCipher::Engine::openssl)),
                         [](const auto& info) {
                             return std::string(std::get<0>(info.param).name) +
                                    (std::get<1>(info.param) == AesGcmCipher::Engine::openssl
                                         ? "OpenSsl"
                                         : "Fastest");
                         });

}  // namespace
}  // namespace pulsemeet::media
