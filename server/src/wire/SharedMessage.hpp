#pragma once

#include <memory>
#include <string>
#include <utility>

namespace pulsemeet::wire {

// A serialised outbound message, shared by every recipient of a fan-out.
using SharedMessage = std::shared_ptr<const std::string>;

inline SharedMessage share(std::string text) {
    return std::make_shared<const std::string>(std::move(text));
}

}  // namespace pulsemeet::wire
