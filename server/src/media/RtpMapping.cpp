#include "media/RtpMapping.hpp"

#include <algorithm>
#include <string>

namespace pulsemeet::media {

namespace {

constexpr std::string_view kMidUri = "urn:ietf:params:rtp-hdrext:sdes:mid";
constexpr std::string_view kAbsSendTimeUri =
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        const auto lower = [](char c) {
            return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        };
        return lower(x) == lower(y);
    });
}

}  // namespace

bool isRtxCodec(const SdpCodec& codec) {
    return equalsIgnoreCase(codec.name, "rtx");
}

bool sameCodec(const SdpCodec& a, const SdpCodec& b) {
    if (!equalsIgnoreCase(a.name, b.name) || a.clockRate != b.clockRate) return false;
    if (a.channels != b.channels && a.channels > 1 && b.channels > 1) return false;
    if (!equalsIgnoreCase(a.name, "H264")) return true;
    const auto mode = [](const SdpCodec& c) {
        const auto value = c.fmtpParameter("packetization-mode");
        return value.empty() ? std::string_view("0") : value;
    };
    const auto profile = [](const SdpCodec& c) { return c.fmtpParameter("profile-level-id"); };
    return mode(a) == mode(b) && equalsIgnoreCase(profile(a).substr(0, 4), profile(b).substr(0, 4));
}

ExtensionMap mapExtensions(std::span<const SdpExtmap> publisher,
                           std::span<const SdpExtmap> subscriber) {
    ExtensionMap map{};
    for (const auto& from : publisher) {
        if (from.id <= 0 || from.id > 255) continue;
        const auto to = std::find_if(subscriber.begin(), subscriber.end(),
                                     [&](const SdpExtmap& e) { return e.uri == from.uri; });
        if (to == subscriber.end() || to->id <= 0 || to->id > 255) continue;
        auto rewrite = ExtensionRewrite::copy;
        if (from.uri == kMidUri) rewrite = ExtensionRewrite::mid;
        if (from.uri == kAbsSendTimeUri) rewrite = ExtensionRewrite::absSendTime;
        map[static_cast<std::size_t>(from.id)] = {static_cast<std::uint8_t>(to->id), rewrite};
    }
    return map;
}

PayloadTypeMap mapPayloadTypes(std::span<const SdpCodec> publisher,
                               std::span<const SdpCodec> subscriber) {
    PayloadTypeMap map{};
    for (const auto& from : publisher) {
        if (isRtxCodec(from) || from.payloadType > 127) continue;
        // The subscriber's first match: its preference among equivalent payload types.
        const auto to = std::find_if(subscriber.begin(), subscriber.end(),
                                     [&](const SdpCodec& c) { return sameCodec(from, c); });
        if (to == subscriber.end()) continue;
        PayloadRoute route;
        route.payloadType = to->payloadType;
        route.clockRate = to->clockRate;
        for (const auto& rtx : subscriber) {
            if (isRtxCodec(rtx) && rtx.repairedPayloadType() == to->payloadType) {
                route.rtxPayloadType = rtx.payloadType;
                break;
            }
        }
        map[from.payloadType] = route;
    }
    return map;
}

}  // namespace pulsemeet::media
