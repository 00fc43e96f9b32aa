#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "config/Config.hpp"

namespace pulsemeet::app {

// `pulsemeet token --room R --name N --ttl 1h`: prints an HS256 room token signed with
// JWT_SECRET (read like every other setting: .env, environment, or --jwt-secret).
// `args` excludes "token". Returns the process exit code (2 for a bad option or no secret).
int runTokenCommand(const std::vector<std::string>& args, const config::Environment& environment,
                    std::ostream& out, std::ostream& err);

// "3600", "90s", "30m", "1h", "7d" as seconds; nullopt when not a positive duration.
std::optional<std::chrono::seconds> parseTtl(std::string_view text);

}  // namespace pulsemeet::app
