#pragma once

#include <string>
#include <string_view>

namespace pulsemeet::net {

// The key per-client limits count under, from the TCP peer address (never from a header, which
// the client writes). An IPv4 address is its own key (an IPv4-mapped IPv6 address counts as the
// IPv4 one). An IPv6 client usually holds a whole /64 and can pick a new address for every
// request, so IPv6 addresses count under their /64 prefix ("2001:db8:1:2::/64"). Anything that
// does not parse is its own key.
std::string addressKey(std::string_view address);

}  // namespace pulsemeet::net
