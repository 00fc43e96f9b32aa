#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

// The media a load peer publishes: nothing is encoded, but every packet looks like what a browser
// sends (a VP8 payload descriptor and payload header with the key-frame bit, or an Opus-sized
// payload), and ends with a stamp that lets a subscriber tell which room and publisher it came
// from, count losses per stream and measure forwarding latency.
namespace pulsemeet::bench::sfu {

constexpr std::uint8_t kOpusPayloadType = 111;
constexpr std::uint8_t kVp8PayloadType = 96;
constexpr std::uint8_t kMidExtensionId = 4;
// RFC 6464 ssrc-audio-level on every microphone packet, as browsers send it: a media server picks
// the active speaker and, in big rooms, the microphones it forwards by it (pulsemeet forwards only
// the 3 loudest above 16 people and puts the speakers' cameras first in last-N). Every publisher
// speaks at -20 dBov (linear 0.1) with the voice bit set.
constexpr std::uint8_t kAudioLevelExtensionId = 1;
constexpr std::uint8_t kSpeakingLevel = 0x80 | 20;
constexpr std::size_t kMaxRtpPayload = 1100;

// The last bytes of every payload.
struct PayloadStamp {
    std::uint32_t roomTag = 0;       // fnv1a of the room id
    std::uint32_t publisherTag = 0;  // fnv1a of the publisher's peer id
    std::uint32_t counter = 0;       // per stream, +1 per packet (retransmissions repeat it)
    std::uint64_t sentNanos = 0;     // CLOCK_MONOTONIC, shared by every process on the machine

    static constexpr std::size_t kSize = 24;
    void writeTo(std::span<std::uint8_t> out) const;  // into the last kSize bytes of `out`
    static std::optional<PayloadStamp> readFrom(std::span<const std::uint8_t> payload);
};

std::uint32_t tagOf(std::string_view text);
std::uint64_t monotonicNanos();

// The payloads of one video frame, each at most kMaxRtpPayload bytes: a key frame every
// `keyFrameInterval` frames (or when asked), sized so the stream averages `bitsPerSecond`.
class Vp8FrameMaker {
  public:
    Vp8FrameMaker(unsigned framesPerSecond, unsigned bitsPerSecond, unsigned keyFrameInterval);
    // Payloads of the next frame (the stamp's counter and time are filled in by the caller).
    std::vector<std::vector<std::uint8_t>> nextFrame(bool forceKeyFrame);
    bool lastWasKeyFrame() const { return lastKey_; }

  private:
    unsigned keyBytes_;
    unsigned deltaBytes_;
    unsigned keyFrameInterval_;
    unsigned frameIndex_ = 0;
    bool lastKey_ = false;
};

// An Opus packet's worth of bytes (20 ms at ~32 kbit/s), stamp included.
std::vector<std::uint8_t> opusPayload();

}  // namespace pulsemeet::bench::sfu
