#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include "config/Config.hpp"

namespace spdlog {
class logger;
}

namespace pulsemeet::obs {

using config::LogFormat;
using config::LogLevel;

// One key/value pair of a log line; the value is kept already rendered as JSON.
class LogField {
  public:
    LogField(std::string_view key, std::string_view value);
    LogField(std::string_view key, const char* value) : LogField(key, std::string_view(value)) {}
    LogField(std::string_view key, const std::string& value)
        : LogField(key, std::string_view(value)) {}
    LogField(std::string_view key, bool value) : key_(key), json_(value ? "true" : "false") {}
    template <typename Int, typename = std::enable_if_t<std::is_integral_v<Int>>>
    LogField(std::string_view key, Int value) : key_(key), json_(std::to_string(value)) {}
    LogField(std::string_view key, double value);

    std::string_view key() const { return key_; }
    const std::string& json() const { return json_; }

  private:
    std::string_view key_;
    std::string json_;
};

// Structured logging: one line per event, JSON (default) or key=value text, to stdout.
// Thread-safe; shared by reference, never global.
class Logger {
  public:
    Logger(LogLevel level, LogFormat format);
    ~Logger();
    Logger(const Logger&) = delete;
    Logger& operator=(const Logger&) = delete;

    bool enabled(LogLevel level) const { return level >= level_ && level_ != LogLevel::off; }
    void log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});

    void debug(std::string_view m, std::initializer_list<LogField> f = {}) {
        if (enabled(LogLevel::debug)) log(LogLevel::debug, m, f);
    }
    void info(std::string_view m, std::initializer_list<LogField> f = {}) {
        if (enabled(LogLevel::info)) log(LogLevel::info, m, f);
    }
    void warn(std::string_view m, std::initializer_list<LogField> f = {}) {
        if (enabled(LogLevel::warn)) log(LogLevel::warn, m, f);
    }
    void error(std::string_view m, std::initializer_list<LogField> f = {}) {
        if (enabled(LogLevel::error)) log(LogLevel::error, m, f);
    }

    // Renders one line without writing it (tests, and the text/json choice in one place).
    std::string render(LogLevel level, std::string_view message,
                       std::initializer_list<LogField> fields) const;

  private:
    LogLevel level_;
    LogFormat format_;
    std::shared_ptr<spdlog::logger> sink_;
};

}  // namespace pulsemeet::obs
