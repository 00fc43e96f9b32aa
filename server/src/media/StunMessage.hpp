#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "media/Endpoint.hpp"

// STUN messages (RFC 5389) as ICE uses them (RFC 8445 §7, short-term credentials): a parser that
// reads a datagram in place, and a writer that builds one into a caller's buffer. Neither
// allocates.
namespace pulsemeet::media {

enum class StunClass : std::uint8_t { request = 0, indication = 1, success = 2, error = 3 };

namespace stun {

constexpr std::uint32_t kMagicCookie = 0x2112A442;
constexpr std::size_t kHeaderSize = 20;
constexpr std::size_t kTransactionIdSize = 12;
// Larger datagrams are refused before any attribute is read: a binding request is ~100 bytes and
// a message over UDP stays under the path MTU (RFC 5389 §7.1). The bound also sizes the stack
// copy that MESSAGE-INTEGRITY needs.
constexpr std::size_t kMaxMessageSize = 1500;
constexpr std::size_t kMaxUsernameSize = 512;  // RFC 5389 §15.3: less than 513 bytes
constexpr std::uint32_t kFingerprintXor = 0x5354554E;
constexpr std::size_t kHmacSha1Size = 20;

constexpr std::uint16_t kMethodBinding = 0x001;

// Attribute types (RFC 5389 §18.2, RFC 8445 §16.1).
constexpr std::uint16_t kAttrMappedAddress = 0x0001;
constexpr std::uint16_t kAttrUsername = 0x0006;
constexpr std::uint16_t kAttrMessageIntegrity = 0x0008;
constexpr std::uint16_t kAttrErrorCode = 0x0009;
constexpr std::uint16_t kAttrXorMappedAddress = 0x0020;
constexpr std::uint16_t kAttrPriority = 0x0024;
constexpr std::uint16_t kAttrUseCandidate = 0x0025;
constexpr std::uint16_t kAttrSoftware = 0x8022;
constexpr std::uint16_t kAttrFingerprint = 0x8028;
constexpr std::uint16_t kAttrIceControlled = 0x8029;
constexpr std::uint16_t kAttrIceControlling = 0x802A;

// Error codes ICE uses (RFC 5389 §15.6, RFC 8445 §7.3.1.1).
constexpr std::uint16_t kErrorBadRequest = 400;
constexpr std::uint16_t kErrorUnauthorized = 401;
constexpr std::uint16_t kErrorRoleConflict = 487;

using TransactionId = std::array<std::uint8_t, kTransactionIdSize>;

}  // namespace stun

// A parsed STUN message: a view over the datagram, which must outlive it. parse() checks the
// header, every attribute length against the datagram and against its type, and where
// MESSAGE-INTEGRITY and FINGERPRINT sit; it does not check credentials (see the two checks).
class StunMessage {
  public:
    // nullopt when the bytes are not a well-formed STUN message.
    static std::optional<StunMessage> parse(std::span<const std::uint8_t> datagram);

    StunClass messageClass() const { return class_; }
    std::uint16_t method() const { return method_; }
    const stun::TransactionId& transactionId() const { return transactionId_; }
    std::span<const std::uint8_t> bytes() const { return bytes_; }

    // The first occurrence of each attribute (RFC 5389 §7.3: later duplicates are ignored), and
    // nothing that follows MESSAGE-INTEGRITY except FINGERPRINT (§15.4).
    std::optional<std::string_view> username() const { return username_; }
    std::optional<std::string_view> software() const { return software_; }
    std::optional<std::uint32_t> priority() const { return priority_; }
    bool useCandidate() const { return useCandidate_; }
    std::optional<std::uint64_t> iceControlling() const { return iceControlling_; }
    std::optional<std::uint64_t> iceControlled() const { return iceControlled_; }
    std::optional<Endpoint> xorMappedAddress() const { return xorMappedAddress_; }
    std::optional<std::uint16_t> errorCode() const { return errorCode_; }
    std::string_view errorReason() const { return errorReason_; }

    bool hasMessageIntegrity() const { return integrityOffset_ != 0; }
    bool hasFingerprint() const { return fingerprintOffset_ != 0; }

    // FINGERPRINT present and equal to CRC-32 of what precedes it XOR 0x5354554e (§15.5).
    bool fingerprintValid() const;
    // MESSAGE-INTEGRITY present and equal to HMAC-SHA1(key, message up to it) computed with the
    // header length as if MESSAGE-INTEGRITY were the last attribute (§15.4). For ICE the key is
    // the ice-pwd itself (short-term credentials, §15.4 with no SASLprep for ASCII passwords).
    bool messageIntegrityValid(std::string_view key) const;

  private:
    StunMessage() = default;

    std::span<const std::uint8_t> bytes_;
    StunClass class_ = StunClass::request;
    std::uint16_t method_ = 0;
    stun::TransactionId transactionId_{};
    std::optional<std::string_view> username_;
    std::optional<std::string_view> software_;
    std::optional<std::uint32_t> priority_;
    bool useCandidate_ = false;
    std::optional<std::uint64_t> iceControlling_;
    std::optional<std::uint64_t> iceControlled_;
    std::optional<Endpoint> xorMappedAddress_;
    std::optional<std::uint16_t> errorCode_;
    std::string_view errorReason_;
    std::size_t integrityOffset_ = 0;    // where the MESSAGE-INTEGRITY attribute header starts
    std::size_t fingerprintOffset_ = 0;  // where the FINGERPRINT attribute header starts
};

// Builds one STUN message into a caller's buffer, attribute by attribute. Any attribute that does
// not fit marks the writer failed; bytes() is then empty. MESSAGE-INTEGRITY then FINGERPRINT come
// last, in that order.
class StunMessageWriter {
  public:
    // paddingByte fills attribute padding; RFC 5389 lets it be anything and the RFC 5769 vectors
    // use spaces, which is how a test reproduces them byte for byte.
    StunMessageWriter(std::span<std::uint8_t> buffer, StunClass messageClass, std::uint16_t method,
                      const stun::TransactionId& transactionId, std::uint8_t paddingByte = 0);

    StunMessageWriter& addBytes(std::uint16_t type, std::span<const std::uint8_t> value);
    StunMessageWriter& addString(std::uint16_t type, std::string_view value);
    StunMessageWriter& addU32(std::uint16_t type, std::uint32_t value);
    StunMessageWriter& addU64(std::uint16_t type, std::uint64_t value);
    StunMessageWriter& addFlag(std::uint16_t type);
    StunMessageWriter& addXorMappedAddress(const Endpoint& address);
    // code 300..699; reason UTF-8, at most 763 bytes (§15.6).
    StunMessageWriter& addErrorCode(std::uint16_t code, std::string_view reason);
    StunMessageWriter& addMessageIntegrity(std::string_view key);
    StunMessageWriter& addFingerprint();

    bool ok() const { return !failed_; }
    std::span<const std::uint8_t> bytes() const;

  private:
    // Reserves an attribute of `length` value bytes and returns where the value goes, or nullopt
    // (and the writer failed) when it does not fit.
    std::optional<std::size_t> reserve(std::uint16_t type, std::size_t length);
    void setLength(std::size_t bodyLength);

    std::span<std::uint8_t> buffer_;
    std::size_t size_ = stun::kHeaderSize;
    std::uint8_t paddingByte_;
    bool failed_ = false;
};

}  // namespace pulsemeet::media
