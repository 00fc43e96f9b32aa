#include "obs/Logger.hpp"

#include "obs/JsonText.hpp"

#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace pulsemeet::obs {
namespace {

std::string_view levelName(LogLevel level) {
    switch (level) {
        case LogLevel::debug:
            return "debug";
        case LogLevel::info:
            return "info";
        case LogLevel::warn:
            return "warn";
        case LogLevel::error:
            return "error";
        case LogLevel::off:
            return "off";
    }
    return "info";
}

std::string isoTimestamp() {
    const auto now = std::chrono::system_clock::now();
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    const std::time_t seconds = static_cast<std::time_t>(millis / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char buffer[32];
    const auto written = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
    char result[48];
    std::snprintf(result, sizeof result, "%.*s.%03dZ", static_cast<int>(written), buffer,
                  static_cast<int>(millis % 1000));
    return result;
}

}  // namespace

LogField::LogField(std::string_view key, std::string_view value) : key_(key) {
    appendJsonString(json_, value);
}

LogField::LogField(std::string_view key, double value) : key_(key) {
    if (std::isfinite(value)) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.6g", value);
        json_ = buffer;
    } else {
        json_ = "null";
    }
}

Logger::Logger(LogLevel level, LogFormat format)
    : level_(level),
      format_(format),
      sink_(std::make_shared<spdlog::logger>("pulsemeet",
                                             std::make_shared<spdlog::sinks::stdout_sink_mt>())) {
    sink_->set_pattern("%v");
    sink_->set_level(spdlog::level::trace);
    sink_->flush_on(spdlog::level::trace);  // tests and operators read lines as they happen
}

Logger::~Logger() = default;

std::string Logger::render(LogLevel level, std::string_view message,
                           std::initializer_list<LogField> fields) const {
    std::string line;
    line.reserve(128);
    if (format_ == LogFormat::json) {
        line += "{\"time\":\"";
        line += isoTimestamp();
        line += "\",\"level\":\"";
        line += levelName(level);
        line += "\",\"msg\":";
        appendJsonString(line, message);
        for (const auto& field : fields) {
            line += ',';
            appendJsonString(line, field.key());
            line += ':';
            line += field.json();
        }
        line += '}';
    } else {
        line += isoTimestamp();
        line += ' ';
        line += levelName(level);
        line += ' ';
        line += message;
        for (const auto& field : fields) {
            line += ' ';
            line += field.key();
            line += '=';
            line += field.json();
        }
    }
    return line;
}

void Logger::log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
    if (!enabled(level)) return;
    const std::string line = render(level, message, fields);
    sink_->log(spdlog::level::info, spdlog::string_view_t(line.data(), line.size()));
}

}  // namespace pulsemeet::obs
