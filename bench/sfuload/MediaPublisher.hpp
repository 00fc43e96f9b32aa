#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

#include "MediaLink.hpp"
#include "ReceiveCounters.hpp"
#include "SyntheticMedia.hpp"

// A load peer's camera and microphone on a connected MediaLink: VP8 frames at 30 fps (~500
// kbit/s, a key frame every 3 s or when a PLI/FIR asks) and an Opus-sized packet every 20 ms,
// each stamped (SyntheticMedia.hpp). NACKs are answered from the last 1024 video packets, resent
// as they were on the original SSRC (the offer declares no RTX).
namespace pulsemeet::bench::sfu {

class MediaPublisher {
  public:
    using Clock = std::chrono::steady_clock;

    MediaPublisher(RunTotals& totals, std::size_t index);

    std::uint32_t audioSsrc() const { return audioSsrc_; }
    std::uint32_t videoSsrc() const { return videoSsrc_; }
    // Who the stamps say is sending, and from which room.
    void setStamp(std::uint32_t roomTag, std::uint32_t publisherTag);

    void tick(Clock::time_point now, MediaLink& link);
    // RTCP from the server for this publisher's streams: NACK, PLI, FIR.
    void onRtcp(std::span<const std::uint8_t> packet, MediaLink& link);

  private:
    struct SentPacket {
        std::uint16_t sequence = 0;
        std::vector<std::uint8_t> bytes;
    };

    void send(MediaLink& link, std::uint8_t payloadType, std::uint32_t ssrc, std::uint16_t sequence,
              std::uint32_t timestamp, bool marker, std::vector<std::uint8_t>& payload,
              std::uint32_t counter, bool keep);

    RunTotals& totals_;
    std::uint32_t roomTag_ = 0;
    std::uint32_t publisherTag_ = 0;
    std::uint32_t audioSsrc_;
    std::uint32_t videoSsrc_;
    std::uint16_t audioSequence_ = 0;
    std::uint16_t videoSequence_ = 0;
    std::uint32_t audioTimestamp_ = 0;
    std::uint32_t videoTimestamp_ = 0;
    std::uint32_t audioCounter_ = 0;
    std::uint32_t videoCounter_ = 0;
    Clock::time_point nextAudio_{};
    Clock::time_point nextVideo_{};
    bool started_ = false;
    Clock::duration offset_{};
    bool keyFrameAsked_ = false;
    Vp8FrameMaker frames_{30, 500'000, 90};
    std::array<SentPacket, 1024> sentVideo_{};
    std::vector<std::uint8_t> packetBuffer_ = std::vector<std::uint8_t>(1500);
};

}  // namespace pulsemeet::bench::sfu
