#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

// Maps a publisher's RTP sequence numbers to one subscriber's, so that packets the server chooses
// not to forward (padding-only probes, a filtered layer) leave no gap the subscriber would NACK
// or count as lost, while real losses upstream still show as gaps. Late (reordered) packets get
// the number they would have had in order. Fixed memory; no allocation.
namespace pulsemeet::media {

class SeqManager {
  public:
    // A packet arriving more than this far behind the newest is taken as the source restarting
    // its numbering (not as a late packet): outputs continue after the last one.
    static constexpr std::int64_t kMaxLateness = 1000;
    // How many of the most recent drops are remembered to number late packets; a late packet
    // from before the oldest remembered drop is refused.
    static constexpr std::size_t kDropHistory = 256;

    explicit SeqManager(std::uint16_t firstOutput) : firstOutput_(firstOutput) {}

    // The outgoing sequence number for a packet that is forwarded; nullopt when it must not be
    // forwarded (a duplicate of a dropped packet, or older than what can be numbered safely).
    std::optional<std::uint16_t> forward(std::uint16_t input);
    // A packet that is not forwarded: later packets close up over it.
    void drop(std::uint16_t input);
    // The next forwarded packet comes from another numbering (a simulcast layer switch): it
    // continues right after the last output. `gap` extra numbers are skipped first (mediasoup
    // leaves one so the decoder sees the previous frame end).
    void resync(std::uint16_t nextInput, std::uint16_t gap = 0);

    // The outgoing number of the newest packet so far; nullopt before the first.
    std::optional<std::uint16_t> lastOutput() const;

  private:
    std::int64_t extend(std::uint16_t input) const;
    void start(std::uint16_t input, std::int64_t firstOutput);
    std::uint16_t outputOf(std::int64_t extended, std::int64_t offset) const {
        return static_cast<std::uint16_t>(extended - offset);
    }

    std::uint16_t firstOutput_;
    bool started_ = false;
    bool forwardedAny_ = false;
    std::int64_t highest_ = 0;  // extended number of the newest input seen
    std::int64_t offset_ = 0;   // output = input - offset for inputs after every remembered drop
    std::int64_t floor_ = 0;    // inputs at or below this cannot be numbered: refused
    // Extended numbers of recent drops, oldest first, in a ring.
    std::size_t dropsHead_ = 0;
    std::size_t dropsCount_ = 0;
    // Last: every packet reads the fields above, this only as far as dropsCount_ says.
    std::array<std::int64_t, kDropHistory> drops_{};
};

}  // namespace pulsemeet::media
