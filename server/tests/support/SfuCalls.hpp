#pragma once

// Blocking calls into a media::Sfu for integration tests: its answers and statistics come back
// on the media thread, so each call waits on a future with a deadline.
#include <chrono>
#include <future>
#include <stdexcept>
#include <string>
#include <variant>

#include "media/Sfu.hpp"

namespace pulsemeet::media::mediatest {

inline SfuAnswer offerAndWait(Sfu& sfu, const std::string& room, const std::string& peerId,
                              const std::string& sdp) {
    std::promise<std::variant<SfuAnswer, SdpError>> promise;
    auto future = promise.get_future();
    sfu.offer(room, peerId, sdp, [&promise](auto result) { promise.set_value(std::move(result)); });
    if (future.wait_for(std::chrono::seconds(5)) != std::future_status::ready)
        throw std::runtime_error("no answer");
    auto result = future.get();
    if (auto* error = std::get_if<SdpError>(&result))
        throw std::runtime_error("offer refused: " + error->message);
    return std::get<SfuAnswer>(std::move(result));
}

inline SfuStats statsOf(Sfu& sfu) {
    std::promise<SfuStats> promise;
    auto future = promise.get_future();
    sfu.stats([&promise](SfuStats stats) { promise.set_value(stats); });
    if (future.wait_for(std::chrono::seconds(5)) != std::future_status::ready)
        throw std::runtime_error("no stats");
    return future.get();
}

}  // namespace pulsemeet::media::mediatest
