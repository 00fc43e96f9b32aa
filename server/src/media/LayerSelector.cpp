#include "media/LayerSelector.hpp"

#include <algorithm>

namespace pulsemeet::media {

namespace {

// A layer's size: measured, or derived from a measured one (each layer halves the one above,
// as the client's scaleResolutionDownBy 4/2/1 does).
std::optional<ViewSize> sizeOf(std::span<const LayerState> layers, std::size_t index) {
    if (layers[index].width != 0) return ViewSize{layers[index].width, layers[index].height};
    for (std::size_t other = 0; other < layers.size(); ++other) {
        if (layers[other].width == 0) continue;
        ViewSize size{layers[other].width, layers[other].height};
        for (std::size_t i = other; i < index; ++i) size = {size.width * 2, size.height * 2};
        for (std::size_t i = index; i < other; ++i) size = {size.width / 2, size.height / 2};
        return size;
    }
    return std::nullopt;
}

// What a layer is taken to need: measured, or assumed before a measurement.
std::uint64_t needs(std::span<const LayerState> layers, std::size_t index) {
    if (layers[index].bitrate != 0) return layers[index].bitrate;
    std::uint64_t assumed = LayerSelector::kAssumedTopBitrate;
    for (std::size_t j = index + 1; j < layers.size(); ++j) assumed /= 3;
    return assumed;
}

}  // namespace

std::size_t preferredLayer(std::span<const LayerState> layers, ViewSize view) {
    const std::size_t top = layers.empty() ? 0 : layers.size() - 1;
    for (std::size_t i = 0; i < top; ++i) {
        const auto size = sizeOf(layers, i);
        if (!size) return top;
        if (static_cast<double>(size->width) >= view.width * LayerSelector::kUpscaleSlack &&
            static_cast<double>(size->height) >= view.height * LayerSelector::kUpscaleSlack)
            return i;
    }
    return top;
}

std::size_t affordableLayer(std::span<const LayerState> layers, std::uint64_t bandwidth) {
    std::size_t best = 0;
    for (std::size_t i = 0; i < layers.size(); ++i)
        if (needs(layers, i) <= bandwidth) best = i;
    return best;
}

void LayerSelector::follow(std::span<const LayerState> layers, std::uint64_t estimate,
                           std::size_t wanted, Clock::time_point now) {
    const std::size_t forwarded = lastTarget_.value_or(layers.size() - 1);
    if (!allowed_) allowed_ = layers.size() - 1;
    if (!settledAt_) settledAt_ = now + kSettle;
    if (now < *settledAt_) return;
    const auto estimateD = static_cast<double>(estimate);
    const auto forwardedNeeds = static_cast<double>(needs(layers, forwarded));
    if (estimateD < forwardedNeeds * kCongested) {
        const std::size_t fits = affordableLayer(layers, estimate);
        if (fits < *allowed_) {
            allowed_ = fits;
            // Congested again soon after going up: wait longer before the next try.
            if (now - lastCongestion_ < kMaxUpHold) upHold_ = std::min(upHold_ * 2, kMaxUpHold);
            lastCongestion_ = now;
        }
        upSince_.reset();
        return;
    }
    if (now - lastCongestion_ >= kMaxUpHold) upHold_ = kUpHold;
    if (*allowed_ >= wanted || estimateD < forwardedNeeds * kUpHeadroom) {
        upSince_.reset();
        return;
    }
    if (!upSince_) upSince_ = now;
    if (now - *upSince_ >= upHold_) {
        allowed_ = *allowed_ + 1;
        upSince_.reset();
        settledAt_ = now + kSettle;
    }
}

LayerChoice LayerSelector::choose(std::span<const LayerState> layers, std::optional<ViewSize> view,
                                  std::optional<std::uint64_t> estimate, Clock::time_point now,
                                  std::optional<std::uint64_t> hardCap) {
    if (layers.empty()) return {};
    if (view && (view->width == 0 || view->height == 0)) {
        lastTarget_.reset();
        return {};  // not shown
    }
    const std::size_t top = layers.size() - 1;
    const std::size_t wanted = view ? preferredLayer(layers, *view) : top;
    if (estimate) follow(layers, *estimate, wanted, now);
    LayerChoice choice;
    std::size_t desired = wanted;
    if (allowed_) desired = std::min(desired, *allowed_);
    if (hardCap) desired = std::min(desired, affordableLayer(layers, *hardCap));
    choice.desired = desired;
    // Forward the desired layer when the publisher sends it; else the highest live one below,
    // else the lowest live one above; else wait for the desired one.
    choice.target = desired;
    if (!layers[desired].live) {
        for (std::size_t i = desired + 1; i-- > 0;) {
            if (layers[i].live) {
                choice.target = i;
                lastTarget_ = i;
                return choice;
            }
        }
        for (std::size_t i = desired + 1; i < layers.size(); ++i) {
            if (layers[i].live) {
                choice.target = i;
                lastTarget_ = i;
                return choice;
            }
        }
    }
    lastTarget_ = choice.target;
    return choice;
}

}  // namespace pulsemeet::media
