#pragma once

#include <string>
#include <string_view>

namespace pulsemeet::obs {

// Appends `text` as a quoted, escaped JSON string. For JSON written by hand on hot paths
// (log lines, outbound signaling envelopes) where building a DOM would cost more.
void appendJsonString(std::string& out, std::string_view text);

}  // namespace pulsemeet::obs
