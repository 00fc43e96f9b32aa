#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "media/SdpOffer.hpp"

// How a publisher's packets are rewritten for one subscriber's section, fixed at negotiation:
// payload types by codec (the subscriber may number the same codec differently) and header
// extension ids by URI (each side numbers its own extmap; what the subscriber did not negotiate
// is dropped). Lookups on the packet path are array indexing.
namespace pulsemeet::media {

// What becomes of one header-extension element on the way to the subscriber.
enum class ExtensionRewrite : std::uint8_t {
    drop,
    copy,         // same URI, the subscriber's id
    mid,          // the value is the subscriber's own mid for the section (BUNDLE demux)
    absSendTime,  // stamped when sent: the subscriber's bandwidth estimate (REMB) reads it
};

struct ExtensionMapping {
    std::uint8_t id = 0;
    ExtensionRewrite rewrite = ExtensionRewrite::drop;
};

// Indexed by the publisher's extension id.
using ExtensionMap = std::array<ExtensionMapping, 256>;

ExtensionMap mapExtensions(std::span<const SdpExtmap> publisher,
                           std::span<const SdpExtmap> subscriber);

struct PayloadRoute {
    std::uint8_t payloadType = 0;                // the subscriber's
    std::optional<std::uint8_t> rtxPayloadType;  // the subscriber's rtx for it, if negotiated
    std::uint32_t clockRate = 0;
};

// Indexed by the publisher's payload type; nullopt: the subscriber has no such codec.
using PayloadTypeMap = std::array<std::optional<PayloadRoute>, 128>;

PayloadTypeMap mapPayloadTypes(std::span<const SdpCodec> publisher,
                               std::span<const SdpCodec> subscriber);

// Same codec on both sides: name and clock rate (and channels), and for H.264 the same
// packetization-mode and profile (the first four hex digits of profile-level-id).
bool sameCodec(const SdpCodec& a, const SdpCodec& b);

bool isRtxCodec(const SdpCodec& codec);

}  // namespace pulsemeet::media
