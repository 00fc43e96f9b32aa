#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>

// Which simulcast layer one subscriber should get of one publisher's video (docs/architecture.md,
// "Simulcast and layer choice"): the smallest layer that fills the tile the subscriber shows it in
// (its sfu-view), capped by the subscriber's bandwidth. The estimate (this video's part of the
// subscriber's REMB) only ever runs a little above what the subscriber receives (Chrome keeps it
// under 1.5 x the incoming rate), so it cannot name a layer three times larger: it is read as a
// congestion signal. Below the forwarded layer's bitrate: down at once, to what fits. Above it
// with headroom for kUpHold: one layer up (the hold doubles after each congestion, up to
// kMaxUpHold, so a link that cannot carry the next layer is not flooded every few seconds).
// A hard cap (the test-only one) is absolute. Pure logic and a clock given by the caller; one
// per consumer.
namespace pulsemeet::media {

// One layer of a publisher's video as the server knows it now (index 0 = lowest).
struct LayerState {
    bool live = false;        // packets arrived lately (the publisher sends it)
    std::uint16_t width = 0;  // from its last key frame; 0: not known
    std::uint16_t height = 0;
    std::uint64_t bitrate = 0;  // measured, bits/s; 0: not known
};

// The size a subscriber shows a video at (CSS px x devicePixelRatio); width 0: not shown.
struct ViewSize {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
};

struct LayerChoice {
    // The layer the subscriber should have: it is kept active at the publisher.
    std::optional<std::size_t> desired;
    // The layer to forward now: the desired one when it is live, else the nearest live one.
    std::optional<std::size_t> target;
    friend bool operator==(const LayerChoice&, const LayerChoice&) = default;
};

class LayerSelector {
  public:
    using Clock = std::chrono::steady_clock;

    // How long the estimate must show headroom before the cap goes one layer up.
    static constexpr Clock::duration kUpHold = std::chrono::seconds(3);
    static constexpr Clock::duration kMaxUpHold = std::chrono::seconds(24);
    // Headroom: the estimate is at least this share of the forwarded layer's bitrate.
    static constexpr double kUpHeadroom = 1.2;
    // Congestion: the estimate fell under this share of the forwarded layer's bitrate.
    static constexpr double kCongested = 0.9;
    // After the first estimate and after each step up, the estimate is left this long to catch
    // up with the new rate (Chrome's grows by about 8 % a second) before it is judged.
    static constexpr Clock::duration kSettle = std::chrono::seconds(5);
    // A layer may be up to this much smaller than the view (it is scaled up a little).
    static constexpr double kUpscaleSlack = 0.9;
    // What a layer is taken to need before it was measured, by position from the top.
    static constexpr std::uint64_t kAssumedTopBitrate = 1'200'000;

    // `view`: nullopt when the subscriber never said (every video shown, highest layer);
    // `estimate`: this video's part of the subscriber's bandwidth estimate, nullopt when
    // unknown; `hardCap`: bits/s this video may never exceed (test-only), nullopt: none.
    LayerChoice choose(std::span<const LayerState> layers, std::optional<ViewSize> view,
                       std::optional<std::uint64_t> estimate, Clock::time_point now,
                       std::optional<std::uint64_t> hardCap = std::nullopt);

    // The bandwidth cap in force (a layer index); nullopt before the first estimate.
    std::optional<std::size_t> allowed() const { return allowed_; }

  private:
    void follow(std::span<const LayerState> layers, std::uint64_t estimate, std::size_t wanted,
                Clock::time_point now);

    std::optional<std::size_t> allowed_;
    std::optional<std::size_t> lastTarget_;
    std::optional<Clock::time_point> upSince_;
    std::optional<Clock::time_point> settledAt_;
    Clock::duration upHold_ = kUpHold;
    Clock::time_point lastCongestion_{};
};

// The smallest layer that fills `view` (the top one when none does, or sizes are unknown).
std::size_t preferredLayer(std::span<const LayerState> layers, ViewSize view);
// The highest layer whose bitrate fits `bandwidth` (0 when none does).
std::size_t affordableLayer(std::span<const LayerState> layers, std::uint64_t bandwidth);

}  // namespace pulsemeet::media
