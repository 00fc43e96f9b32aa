#include "media/AudioLevel.hpp"

#include <cmath>

namespace pulsemeet::media {

double AudioLevel::linear() const {
    if (minusDbov >= 127) return 0.0;
    return std::pow(10.0, -static_cast<double>(minusDbov) / 20.0);
}

std::optional<AudioLevel> parseAudioLevel(std::span<const std::uint8_t> value) {
    if (value.size() != 1) return std::nullopt;
    return AudioLevel{static_cast<std::uint8_t>(value[0] & 0x7F), (value[0] & 0x80) != 0};
}

std::optional<std::uint8_t> audioLevelExtensionId(std::span<const SdpExtmap> extmaps) {
    for (const auto& extmap : extmaps) {
        if (extmap.uri == kAudioLevelUri && extmap.id > 0 && extmap.id < 256)
            return static_cast<std::uint8_t>(extmap.id);
    }
    return std::nullopt;
}

std::optional<AudioLevel> readAudioLevel(const RtpPacket& packet, std::uint8_t extensionId) {
    const auto value = packet.extension(extensionId);
    if (!value) return std::nullopt;
    return parseAudioLevel(*value);
}

}  // namespace pulsemeet::media
