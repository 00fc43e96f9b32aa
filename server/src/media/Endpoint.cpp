#include "media/Endpoint.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace pulsemeet::media {

std::string toString(const Endpoint& endpoint) {
    const bool v4 = endpoint.family == Endpoint::Family::ipv4;
    char text[INET6_ADDRSTRLEN] = {};
    if (::inet_ntop(v4 ? AF_INET : AF_INET6, endpoint.address.data(), text, sizeof text) == nullptr)
        return "?:" + std::to_string(endpoint.port);
    const std::string address(text);
    return (v4 ? address : "[" + address + "]") + ":" + std::to_string(endpoint.port) +
           (endpoint.protocol == Endpoint::Protocol::tcp ? "/tcp" : "");
}

}  // namespace pulsemeet::media
