#pragma once

#include <string>

namespace pulsemeet::wire {

// 128 bits from the OS CSPRNG as 32 lowercase hex digits: unguessable, so an id is never a
// capability someone else can forge.
std::string newPeerId();

}  // namespace pulsemeet::wire
