#include "media/Rfc4571Reader.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace pulsemeet::media {

Rfc4571Reader::Rfc4571Reader(std::size_t maxFrameSize) : maxFrameSize_(maxFrameSize) {
    if (maxFrameSize == 0 || maxFrameSize > std::numeric_limits<std::uint16_t>::max())
        throw std::invalid_argument("Rfc4571Reader: maxFrameSize must be 1..65535");
    // Room for one whole frame after a partial one has been moved to the front, so a read never
    // has to be smaller than a frame.
    buffer_.resize(2 * (kPrefixSize + maxFrameSize));
}

std::span<std::uint8_t> Rfc4571Reader::writable() {
    if (status_ != Status::ok) return {};
    return std::span<std::uint8_t>(buffer_).subspan(filled_);
}

void Rfc4571Reader::compact(std::size_t consumed) {
    if (consumed == 0) return;
    std::copy(buffer_.begin() + static_cast<std::ptrdiff_t>(consumed),
              buffer_.begin() + static_cast<std::ptrdiff_t>(filled_), buffer_.begin());
    filled_ -= consumed;
}

bool Rfc4571Reader::appendFrame(std::vector<std::uint8_t>& out,
                                std::span<const std::uint8_t> packet) {
    if (packet.size() > std::numeric_limits<std::uint16_t>::max()) return false;
    out.push_back(static_cast<std::uint8_t>(packet.size() >> 8));
    out.push_back(static_cast<std::uint8_t>(packet.size()));
    out.insert(out.end(), packet.begin(), packet.end());
    return true;
}

}  // namespace pulsemeet::media
