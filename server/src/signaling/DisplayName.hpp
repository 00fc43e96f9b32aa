#pragma once

#include <string>
#include <string_view>

namespace pulsemeet::signaling {

// A display name as others may see it, from valid UTF-8 `name`: without control characters (C0,
// DEL, C1 such as U+0085 NEXT LINE), without the bidirectional embeddings, overrides and isolates
// (U+202A..U+202E, U+2066..U+2069) that let a name reverse the text drawn after it
// ("Alice<U+202E>gnp.exe" reads "Aliceexe.png"), and without the line and paragraph separators
// (U+2028, U+2029); then trimmed of spaces. Empty when nothing is left: no name.
std::string sanitizeDisplayName(std::string_view name);

}  // namespace pulsemeet::signaling
