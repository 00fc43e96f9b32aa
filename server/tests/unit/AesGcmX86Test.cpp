// AesGcmX86 (AES-GCM on the CPU's AES-NI and PCLMULQDQ) against OpenSSL's AES-GCM, which is the
// reference: for both key sizes, every text length from 0 to 700 bytes (no block, part of one,
// each of the eight blocks a pass takes and the passes after) and longer random ones, additional
// data of 0 to 300 bytes in two pieces split anywhere, and texts in two pieces split anywhere,
// sealing out of place and in place gives OpenSSL's cipher text and tag; opening takes OpenSSL's
// sealed packets back and refuses any one bit flipped in the text, the additional data or the
// tag. And AesGcmCipher runs on AesGcmX86 exactly where /proc/cpuinfo lists the instructions.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "media/AesGcmCipher.hpp"
#include "media/AesGcmX86.hpp"

namespace pulsemeet::media {
namespace {

using Bytes = std::vector<std::uint8_t>;
using Tag = std::array<std::uint8_t, AesGcmCipher::kTagLength>;
using Iv = std::array<std::uint8_t, AesGcmCipher::kIvLength>;

Bytes randomBytes(std::mt19937& random, std::size_t length) {
    Bytes bytes(length);
    for (auto& byte : bytes) byte = static_cast<std::uint8_t>(random());
    return bytes;
}

std::size_t below(std::mt19937& random, std::size_t bound) {
    return bound == 0 ? 0 : random() % bound;
}

bool cpuinfoHas(const std::string& flag) {
    std::ifstream cpuinfo("/proc/cpuinfo");
    for (std::string line; std::getline(cpuinfo, line);) {
        if (line.rfind("flags", 0) != 0) continue;
        std::istringstream words(line);
        for (std::string word; words >> word;)
            if (word == flag) return true;
        return false;
    }
    return false;
}

struct Keys {
    AesGcmCipher own;
    AesGcmCipher reference;
};

Keys sealers(const Bytes& key, AesGcmCipher::Direction ownDirection) {
    auto own = AesGcmCipher::create(key, ownDirection, AesGcmCipher::Engine::fastest);
    auto reference =
        AesGcmCipher::create(key, AesGcmCipher::Direction::seal, AesGcmCipher::Engine::openssl);
    EXPECT_TRUE(own && reference);
    return {std::move(*own), std::move(*reference)};
}

class AesGcmX86Test : public ::testing::TestWithParam<std::size_t> {
  protected:
    std::mt19937 random_{static_cast<std::uint32_t>(GetParam())};
    Bytes key_ = randomBytes(random_, GetParam());
};

TEST_P(AesGcmX86Test, RunsWhereTheCpuHasTheInstructions) {
    const bool cpuHas = cpuinfoHas("aes") && cpuinfoHas("pclmulqdq") && cpuinfoHas("sse4_1");
    EXPECT_EQ(AesGcmX86::supported(), cpuHas);
    EXPECT_EQ(AesGcmX86::create(key_).has_value(), cpuHas);
    auto cipher = AesGcmCipher::create(key_, AesGcmCipher::Direction::seal);
    ASSERT_TRUE(cipher);
    EXPECT_EQ(cipher->onCpuInstructions(), cpuHas);
    auto reference =
        AesGcmCipher::create(key_, AesGcmCipher::Direction::seal, AesGcmCipher::Engine::openssl);
    ASSERT_TRUE(reference);
    EXPECT_FALSE(reference->onCpuInstructions());
    EXPECT_FALSE(AesGcmX86::create(Bytes(24, 1)).has_value()) << "AES-192 is not SRTP's";
}

TEST_P(AesGcmX86Test, SealsWhatOpenSslSealsForEveryLengthAndSplit) {
    auto [own, reference] = sealers(key_, AesGcmCipher::Direction::seal);
    std::vector<std::size_t> lengths;
    for (std::size_t length = 0; length <= 700; ++length) lengths.push_back(length);
    for (int i = 0; i < 100; ++i) lengths.push_back(700 + below(random_, 3000));
    for (const std::size_t length : lengths) {
        const Bytes plain = randomBytes(random_, length);
        const Bytes aad = randomBytes(random_, below(random_, 301));
        Iv iv{};
        for (auto& byte : iv) byte = static_cast<std::uint8_t>(random_());
        const std::size_t aadSplit = below(random_, aad.size() + 1);
        const std::size_t textSplit = below(random_, length + 1);
        const std::span<const std::uint8_t> aadBytes(aad);
        const std::span<const std::uint8_t> plainBytes(plain);

        Bytes expected(length);
        Tag expectedTag{};
        ASSERT_TRUE(reference.seal(iv, aadBytes, {}, {plainBytes, {}}, expected, expectedTag));

        Bytes sealed(length, 0);
        Tag tag{};
        ASSERT_TRUE(own.seal(iv, aadBytes.first(aadSplit), aadBytes.subspan(aadSplit),
                             {plainBytes.first(textSplit), plainBytes.subspan(textSplit)}, sealed,
                             tag));
        ASSERT_EQ(sealed, expected) << "length " << length << ", text split at " << textSplit;
        ASSERT_EQ(tag, expectedTag)
            << "length " << length << ", aad " << aad.size() << " split at " << aadSplit;

        Bytes inPlace = plain;
        tag = {};
        ASSERT_TRUE(own.seal(iv, aadBytes, {}, std::span<std::uint8_t>(inPlace), tag));
        ASSERT_EQ(inPlace, expected) << "in place, length " << length;
        ASSERT_EQ(tag, expectedTag) << "in place, length " << length;
    }
}

TEST_P(AesGcmX86Test, OpensWhatOpenSslSealedAndRefusesAnyFlippedBit) {
    auto [own, reference] = sealers(key_, AesGcmCipher::Direction::open);
    for (int round = 0; round < 400; ++round) {
        const std::size_t length =
            round < 200 ? static_cast<std::size_t>(round) : below(random_, 1500);
        const Bytes plain = randomBytes(random_, length);
        Bytes aad = randomBytes(random_, below(random_, 60));
        Iv iv{};
        for (auto& byte : iv) byte = static_cast<std::uint8_t>(random_());
        Bytes sealed(length);
        Tag tag{};
        ASSERT_TRUE(reference.seal(iv, aad, {}, {plain, {}}, sealed, tag));

        Bytes text = sealed;
        ASSERT_TRUE(own.open(iv, aad, {}, text, tag)) << "length " << length;
        ASSERT_EQ(text, plain) << "length " << length;

        // One bit flipped somewhere in what the tag covers, or in the tag.
        const std::size_t where = below(random_, aad.size() + length + tag.size());
        const auto bit = static_cast<std::uint8_t>(1u << below(random_, 8));
        text = sealed;
        Tag flippedTag = tag;
        if (where < aad.size())
            aad[where] ^= bit;
        else if (where < aad.size() + length)
            text[where - aad.size()] ^= bit;
        else
            flippedTag[where - aad.size() - length] ^= bit;
        EXPECT_FALSE(own.open(iv, aad, {}, text, flippedTag))
            << "length " << length << ", byte " << where << " of aad+text+tag";
    }
}

INSTANTIATE_TEST_SUITE_P(Keys, AesGcmX86Test, ::testing::Values(std::size_t{16}, std::size_t{32}),
                         [](const auto& info) {
                             return info.param == 16 ? std::string("Aes128")
                                                     : std::string("Aes256");
                         });

}  // namespace
}  // namespace pulsemeet::media
