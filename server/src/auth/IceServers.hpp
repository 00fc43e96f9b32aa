#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pulsemeet::auth {

struct IceServerSettings {
    std::vector<std::string> stunUrls;
    bool turnEnabled = false;
    std::vector<std::string> turnUrls;
    std::string turnUsername;  // static mode
    std::string turnPassword;  // static mode
    std::string turnSecret;    // REST mode (wins when set): per-client expiring credentials
    std::chrono::seconds turnTtl{3600};
    bool relayOnly = false;  // clients must use TURN only (RTCConfiguration.iceTransportPolicy)
};

// The RTCIceServer list clients are given, and the transport policy they must use.
class IceServers {
  public:
    using Clock = std::chrono::system_clock;

    explicit IceServers(IceServerSettings settings) : settings_(std::move(settings)) {}

    // The list as a JSON array. In REST mode the TURN entry carries credentials made for `who`
    // (a peer id; a random tag when empty) that expire TURN_TTL_SECONDS after `now`, or at
    // `notAfter` (Unix seconds; the caller's room token expiry) when that is sooner: a credential
    // never outlives the token that let its holder in. 0: no such bound.
    std::string json(std::string_view who = {}, Clock::time_point now = Clock::now(),
                     std::int64_t notAfter = 0) const;

    // True when every json() makes a new TURN credential (REST mode), which is worth limiting.
    bool issuesCredentials() const {
        return settings_.turnEnabled && !settings_.turnUrls.empty() &&
               !settings_.turnSecret.empty();
    }

    // "all" or "relay", as RTCConfiguration.iceTransportPolicy spells it.
    std::string_view transportPolicy() const { return settings_.relayOnly ? "relay" : "all"; }

  private:
    IceServerSettings settings_;
};

}  // namespace pulsemeet::auth
