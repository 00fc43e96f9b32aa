#pragma once

#include <string>
#include <vector>

namespace pulsemeet::auth {

struct IceServerSettings {
    std::vector<std::string> stunUrls;
    bool turnEnabled = false;
    std::vector<std::string> turnUrls;
    std::string turnUsername;
    std::string turnPassword;
};

// The RTCIceServer list clients are given, as a JSON array.
class IceServers {
  public:
    explicit IceServers(IceServerSettings settings) : settings_(std::move(settings)) {}
    std::string json() const;

  private:
    IceServerSettings settings_;
};

}  // namespace pulsemeet::auth
