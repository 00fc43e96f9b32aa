#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

// The VP8 payload descriptor (RFC 7741 §4.2) as a simulcast switch needs it: where the picture id
// and TL0PICIDX sit, so that a consumer can renumber them when it moves from one layer's stream
// to another's (each simulcast stream numbers its pictures on its own), and the frame size a key
// frame carries (RFC 6386 §9.1), which tells the server how large each layer is.
namespace pulsemeet::media {

struct Vp8PayloadDescriptor {
    std::optional<std::uint16_t> pictureId;  // 7 or 15 bits
    bool longPictureId = false;              // the M bit: 15 bits on the wire
    std::size_t pictureIdOffset = 0;
    std::optional<std::uint8_t> tl0PicIdx;
    std::size_t tl0PicIdxOffset = 0;
    std::size_t headerSize = 0;  // where the VP8 payload header starts
};

// The longest descriptor (RFC 7741 §4.2): the required octet, X, a 15-bit picture id, TL0PICIDX,
// and the TID/Y/KEYIDX octet.
inline constexpr std::size_t kVp8DescriptorMaxSize = 6;

// nullopt when the descriptor does not fit in the payload.
std::optional<Vp8PayloadDescriptor> parseVp8PayloadDescriptor(
    std::span<const std::uint8_t> payload);

struct Vp8FrameSize {
    std::uint16_t width = 0;
    std::uint16_t height = 0;
};

// The size a key frame's first packet declares; nullopt for any other packet.
std::optional<Vp8FrameSize> vp8KeyFrameSize(std::span<const std::uint8_t> payload);

// Renumbers picture ids and TL0PICIDX for one subscriber so that they continue across a switch
// between simulcast streams: after sync(), the next picture gets the number after the last one
// written, and later pictures of the same stream keep their spacing. One per consumer.
class Vp8PictureIdRewriter {
  public:
    // The next packet rewritten comes from another stream (a layer switch).
    void sync() { syncPending_ = true; }
    // Rewrites the descriptor of `payload` in place; false when it has none to rewrite.
    bool rewrite(std::span<std::uint8_t> payload);

  private:
    static constexpr std::uint16_t kPictureIdModulo = 0x8000;

    bool started_ = false;
    bool syncPending_ = false;
    std::uint16_t pictureIdOffset_ = 0;  // input - output, modulo 2^15
    std::uint8_t tl0Offset_ = 0;         // input - output, modulo 2^8
    std::uint16_t lastPictureId_ = 0;    // the newest written
    std::uint8_t lastTl0_ = 0;
};

}  // namespace pulsemeet::media
