#include "auth/IceServers.hpp"

#include "obs/JsonText.hpp"

namespace pulsemeet::auth {
namespace {

void appendUrls(std::string& out, const std::vector<std::string>& urls) {
    out += "{\"urls\":[";
    for (std::size_t i = 0; i < urls.size(); ++i) {
        if (i > 0) out += ',';
        obs::appendJsonString(out, urls[i]);
    }
    out += ']';
}

}  // namespace

std::string IceServers::json() const {
    std::string out = "[";
    if (!settings_.stunUrls.empty()) {
        appendUrls(out, settings_.stunUrls);
        out += '}';
    }
    if (settings_.turnEnabled && !settings_.turnUrls.empty()) {
        if (out.size() > 1) out += ',';
        appendUrls(out, settings_.turnUrls);
        out += ",\"username\":";
        obs::appendJsonString(out, settings_.turnUsername);
        out += ",\"credential\":";
        obs::appendJsonString(out, settings_.turnPassword);
        out += '}';
    }
    out += ']';
    return out;
}

}  // namespace pulsemeet::auth
