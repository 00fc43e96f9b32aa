#include "media/StunMessage.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstring>

#include "media/BigEndian.hpp"
#include "media/Crc32.hpp"

namespace pulsemeet::media {

namespace {

using namespace stun;

constexpr std::size_t padded(std::size_t length) {
    return (length + 3) & ~std::size_t{3};
}

// The 14-bit message type interleaves the class bits C1 C0 into the method bits (RFC 5389 §6).
std::uint16_t messageType(StunClass messageClass, std::uint16_t method) {
    const auto c = static_cast<std::uint16_t>(messageClass);
    return static_cast<std::uint16_t>((method & 0x000F) | ((method & 0x0070) << 1) |
                                      ((method & 0x0F80) << 2) | ((c & 1) << 4) | ((c & 2) << 7));
}

std::string_view asText(std::span<const std::uint8_t> value) {
    return {reinterpret_cast<const char*>(value.data()), value.size()};
}

std::optional<Endpoint> readXorAddress(std::span<const std::uint8_t> value,
                                       std::span<const std::uint8_t> header) {
    if (value.size() < 4 || value[0] != 0) return std::nullopt;
    Endpoint endpoint;
    endpoint.port = static_cast<std::uint16_t>(readU16(value, 2) ^ (kMagicCookie >> 16));
    if (value[1] == 0x01 && value.size() == 8) {
        endpoint.family = Endpoint::Family::ipv4;
    } else if (value[1] == 0x02 && value.size() == 20) {
        endpoint.family = Endpoint::Family::ipv6;
    } else {
        return std::nullopt;
    }
    // The address is XORed with the magic cookie and, for IPv6, the transaction id after it:
    // exactly header bytes 4..19.
    for (std::size_t i = 0; i < endpoint.addressSize(); ++i)
        endpoint.address[i] = value[4 + i] ^ header[4 + i];
    return endpoint;
}

}  // namespace

std::optional<StunMessage> StunMessage::parse(std::span<const std::uint8_t> datagram) {
    if (datagram.size() < kHeaderSize || datagram.size() > kMaxMessageSize) return std::nullopt;
    const std::uint16_t type = readU16(datagram, 0);
    if ((type & 0xC000) != 0) return std::nullopt;
    const std::size_t bodyLength = readU16(datagram, 2);
    if (bodyLength % 4 != 0 || kHeaderSize + bodyLength != datagram.size()) return std::nullopt;
    if (readU32(datagram, 4) != kMagicCookie) return std::nullopt;

    StunMessage message;
    message.bytes_ = datagram;
    message.class_ = static_cast<StunClass>(((type >> 4) & 1) | ((type >> 7) & 2));
    message.method_ = static_cast<std::uint16_t>((type & 0x000F) | ((type >> 1) & 0x0070) |
                                                 ((type >> 2) & 0x0F80));
    std::copy_n(datagram.begin() + 8, kTransactionIdSize, message.transactionId_.begin());

    std::size_t offset = kHeaderSize;
    while (offset < datagram.size()) {
        if (datagram.size() - offset < 4) return std::nullopt;
        const std::uint16_t attribute = readU16(datagram, offset);
        const std::size_t length = readU16(datagram, offset + 2);
        if (padded(length) > datagram.size() - offset - 4) return std::nullopt;
        const auto value = datagram.subspan(offset + 4, length);
        const std::size_t start = offset;
        offset += 4 + padded(length);

        // FINGERPRINT is the last attribute when present (§15.5).
        if (message.fingerprintOffset_ != 0) return std::nullopt;
        if (attribute == kAttrFingerprint) {
            if (length != 4) return std::nullopt;
            message.fingerprintOffset_ = start;
            continue;
        }
        // After MESSAGE-INTEGRITY only FINGERPRINT counts; the rest is ignored (§15.4).
        if (message.integrityOffset_ != 0) continue;

        switch (attribute) {
            case kAttrMessageIntegrity:
                if (length != kHmacSha1Size) return std::nullopt;
                message.integrityOffset_ = start;
                break;
            case kAttrUsername:
                if (length > kMaxUsernameSize) return std::nullopt;
                if (!message.username_) message.username_ = asText(value);
                break;
            case kAttrSoftware:
                if (!message.software_) message.software_ = asText(value);
                break;
            case kAttrPriority:
                if (length != 4) return std::nullopt;
                if (!message.priority_) message.priority_ = readU32(value, 0);
                break;
            case kAttrUseCandidate:
                if (length != 0) return std::nullopt;
                message.useCandidate_ = true;
                break;
            case kAttrIceControlling:
                if (length != 8) return std::nullopt;
                if (!message.iceControlling_) message.iceControlling_ = readU64(value, 0);
                break;
            case kAttrIceControlled:
                if (length != 8) return std::nullopt;
                if (!message.iceControlled_) message.iceControlled_ = readU64(value, 0);
                break;
            case kAttrXorMappedAddress: {
                auto address = readXorAddress(value, datagram);
                if (!address) return std::nullopt;
                if (!message.xorMappedAddress_) message.xorMappedAddress_ = address;
                break;
            }
            case kAttrErrorCode: {
                if (length < 4) return std::nullopt;
                const unsigned errorClass = value[2] & 0x07U;
                const unsigned number = value[3];
                if (errorClass < 3 || errorClass > 6 || number > 99) return std::nullopt;
                if (!message.errorCode_) {
                    message.errorCode_ = static_cast<std::uint16_t>(errorClass * 100 + number);
                    message.errorReason_ = asText(value.subspan(4));
                }
                break;
            }
            default:
                // Unknown attributes are skipped: a lite agent has no use for them, and answering
                // 420 for comprehension-required ones would tell a prober what we parse.
                break;
        }
    }
    return message;
}

bool StunMessage::fingerprintValid() const {
    if (fingerprintOffset_ == 0) return false;
    const std::uint32_t expected = crc32(bytes_.first(fingerprintOffset_)) ^ kFingerprintXor;
    return readU32(bytes_, fingerprintOffset_ + 4) == expected;
}

bool StunMessage::messageIntegrityValid(std::string_view key) const {
    if (integrityOffset_ == 0) return false;
    // HMAC input: the message up to MESSAGE-INTEGRITY, its header's length field rewritten to end
    // just after MESSAGE-INTEGRITY (so a FINGERPRINT after it is excluded).
    std::array<std::uint8_t, kMaxMessageSize> input;
    std::copy_n(bytes_.begin(), integrityOffset_, input.begin());
    writeU16(input, 2,
             static_cast<std::uint16_t>(integrityOffset_ + 4 + kHmacSha1Size - kHeaderSize));
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int macLength = 0;
    if (HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), input.data(), integrityOffset_,
             mac.data(), &macLength) == nullptr ||
        macLength != kHmacSha1Size)
        return false;
    // Constant time: the comparison must not tell a forger how many leading bytes were right.
    return CRYPTO_memcmp(mac.data(), bytes_.data() + integrityOffset_ + 4, kHmacSha1Size) == 0;
}

StunMessageWriter::StunMessageWriter(std::span<std::uint8_t> buffer, StunClass messageClass,
                                     std::uint16_t method, const stun::TransactionId& transactionId,
                                     std::uint8_t paddingByte)
    : buffer_(buffer), paddingByte_(paddingByte) {
    if (buffer_.size() < kHeaderSize) {
        failed_ = true;
        return;
    }
    writeU16(buffer_, 0, messageType(messageClass, method));
    writeU16(buffer_, 2, 0);
    writeU32(buffer_, 4, kMagicCookie);
    std::copy(transactionId.begin(), transactionId.end(), buffer_.begin() + 8);
}

std::optional<std::size_t> StunMessageWriter::reserve(std::uint16_t type, std::size_t length) {
    if (failed_ || length > 0xFFFF || buffer_.size() - size_ < 4 + padded(length) ||
        size_ + 4 + padded(length) > kMaxMessageSize) {
        failed_ = true;
        return std::nullopt;
    }
    writeU16(buffer_, size_, type);
    writeU16(buffer_, size_ + 2, static_cast<std::uint16_t>(length));
    const std::size_t valueAt = size_ + 4;
    std::fill(buffer_.begin() + static_cast<std::ptrdiff_t>(valueAt + length),
              buffer_.begin() + static_cast<std::ptrdiff_t>(valueAt + padded(length)),
              paddingByte_);
    size_ = valueAt + padded(length);
    setLength(size_ - kHeaderSize);
    return valueAt;
}

void StunMessageWriter::setLength(std::size_t bodyLength) {
    writeU16(buffer_, 2, static_cast<std::uint16_t>(bodyLength));
}

StunMessageWriter& StunMessageWriter::addBytes(std::uint16_t type,
                                               std::span<const std::uint8_t> value) {
    if (const auto at = reserve(type, value.size()))
        std::copy(value.begin(), value.end(), buffer_.begin() + static_cast<std::ptrdiff_t>(*at));
    return *this;
}

StunMessageWriter& StunMessageWriter::addString(std::uint16_t type, std::string_view value) {
    return addBytes(type, {reinterpret_cast<const std::uint8_t*>(value.data()), value.size()});
}

StunMessageWriter& StunMessageWriter::addU32(std::uint16_t type, std::uint32_t value) {
    if (const auto at = reserve(type, 4)) writeU32(buffer_, *at, value);
    return *this;
}

StunMessageWriter& StunMessageWriter::addU64(std::uint16_t type, std::uint64_t value) {
    if (const auto at = reserve(type, 8)) writeU64(buffer_, *at, value);
    return *this;
}

StunMessageWriter& StunMessageWriter::addFlag(std::uint16_t type) {
    reserve(type, 0);
    return *this;
}

StunMessageWriter& StunMessageWriter::addXorMappedAddress(const Endpoint& address) {
    const std::size_t addressSize = address.addressSize();
    if (const auto at = reserve(kAttrXorMappedAddress, 4 + addressSize)) {
        buffer_[*at] = 0;
        buffer_[*at + 1] = address.family == Endpoint::Family::ipv4 ? 0x01 : 0x02;
        writeU16(buffer_, *at + 2, static_cast<std::uint16_t>(address.port ^ (kMagicCookie >> 16)));
        for (std::size_t i = 0; i < addressSize; ++i)
            buffer_[*at + 4 + i] = address.address[i] ^ buffer_[4 + i];
    }
    return *this;
}

StunMessageWriter& StunMessageWriter::addErrorCode(std::uint16_t code, std::string_view reason) {
    if (code < 300 || code > 699 || reason.size() > 763) {
        failed_ = true;
        return *this;
    }
    if (const auto at = reserve(kAttrErrorCode, 4 + reason.size())) {
        writeU16(buffer_, *at, 0);
        buffer_[*at + 2] = static_cast<std::uint8_t>(code / 100);
        buffer_[*at + 3] = static_cast<std::uint8_t>(code % 100);
        std::copy(reason.begin(), reason.end(),
                  buffer_.begin() + static_cast<std::ptrdiff_t>(*at + 4));
    }
    return *this;
}

StunMessageWriter& StunMessageWriter::addMessageIntegrity(std::string_view key) {
    const std::size_t hashed = size_;
    if (const auto at = reserve(kAttrMessageIntegrity, kHmacSha1Size)) {
        // The length field already covers MESSAGE-INTEGRITY (reserve set it), as §15.4 wants.
        unsigned int macLength = 0;
        if (HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), buffer_.data(), hashed,
                 buffer_.data() + *at, &macLength) == nullptr ||
            macLength != kHmacSha1Size)
            failed_ = true;
    }
    return *this;
}

StunMessageWriter& StunMessageWriter::addFingerprint() {
    const std::size_t covered = size_;
    if (const auto at = reserve(kAttrFingerprint, 4))
        writeU32(buffer_, *at, crc32(buffer_.first(covered)) ^ kFingerprintXor);
    return *this;
}

std::span<const std::uint8_t> StunMessageWriter::bytes() const {
    if (failed_) return {};
    return buffer_.first(size_);
}

}  // namespace pulsemeet::media
