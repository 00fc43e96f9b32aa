#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>

// Reading the fields of a server's JSON messages without throwing: a missing or mistyped field
// reads as empty / 0, and the caller treats that as "not this message".
namespace pulsemeet::bench::sfu {

inline std::string stringField(const boost::json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    return value != nullptr && value->is_string() ? std::string(value->get_string())
                                                  : std::string();
}

inline std::uint64_t numberField(const boost::json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    if (value == nullptr) return 0;
    if (value->is_uint64()) return value->get_uint64();
    if (value->is_int64() && value->get_int64() >= 0)
        return static_cast<std::uint64_t>(value->get_int64());
    return 0;
}

inline const boost::json::object* objectField(const boost::json::object& object,
                                              std::string_view key) {
    const auto* value = object.if_contains(key);
    return value != nullptr && value->is_object() ? &value->get_object() : nullptr;
}

}  // namespace pulsemeet::bench::sfu
