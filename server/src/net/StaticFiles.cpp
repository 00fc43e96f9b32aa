#include "net/StaticFiles.hpp"

#include <system_error>

namespace pulsemeet::net {
namespace {

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";

constexpr std::string_view kPlaceholder = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PulseMeet</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; background:#0f172a; color:#e2e8f0;
display:flex; min-height:100vh; align-items:center; justify-content:center; margin:0">
<main><h1>PulseMeet</h1><p>The signaling server is running. The browser client has not been
built yet: run <code>make build</code>, or set STATIC_DIR to a built client.</p></main>
</body></html>
)";

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Percent-decodes a path; nullopt for malformed escapes or an encoded NUL.
std::optional<std::string> decodePath(std::string_view path) {
    std::string out;
    out.reserve(path.size());
    for (std::size_t i = 0; i < path.size(); ++i) {
        if (path[i] != '%') {
            out += path[i];
            continue;
        }
        if (i + 2 >= path.size()) return std::nullopt;
        const int hi = hexValue(path[i + 1]);
        const int lo = hexValue(path[i + 2]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

bool isSafeRelative(std::string_view path) {
    // Reject any `..` segment and backslashes instead of trying to normalise them away.
    std::size_t start = 0;
    while (start <= path.size()) {
        const auto slash = path.find('/', start);
        const auto segment =
            path.substr(start, slash == std::string_view::npos ? slash : slash - start);
        if (segment == "..") return false;
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return path.find('\\') == std::string_view::npos && path.find('\0') == std::string_view::npos;
}

}  // namespace

std::string_view mimeType(std::string_view extension) {
    if (extension == ".html") return "text/html; charset=utf-8";
    if (extension == ".js" || extension == ".mjs") return "text/javascript; charset=utf-8";
    if (extension == ".css") return "text/css; charset=utf-8";
    if (extension == ".json" || extension == ".map") return "application/json";
    if (extension == ".webmanifest") return "application/manifest+json";
    if (extension == ".svg") return "image/svg+xml";
    if (extension == ".png") return "image/png";
    if (extension == ".jpg" || extension == ".jpeg") return "image/jpeg";
    if (extension == ".webp") return "image/webp";
    if (extension == ".ico") return "image/x-icon";
    if (extension == ".woff2") return "font/woff2";
    if (extension == ".woff") return "font/woff";
    if (extension == ".txt") return "text/plain; charset=utf-8";
    if (extension == ".wasm") return "application/wasm";
    if (extension == ".mp3") return "audio/mpeg";
    return "application/octet-stream";
}

StaticFiles::StaticFiles(std::filesystem::path root) : root_(std::move(root)) {
    std::error_code ec;
    hasIndex_ = std::filesystem::is_regular_file(root_ / "index.html", ec);
}

std::optional<StaticAsset> StaticFiles::index() const {
    if (!hasIndex_) {
        return StaticAsset{{}, std::string(kPlaceholder), mimeType(".html"), kRevalidate};
    }
    return StaticAsset{root_ / "index.html", {}, mimeType(".html"), kRevalidate};
}

std::optional<StaticAsset> StaticFiles::resolve(std::string_view target) const {
    std::string_view path = target.substr(0, target.find_first_of("?#"));
    auto decoded = decodePath(path);
    if (!decoded || decoded->empty() || decoded->front() != '/') return std::nullopt;
    const std::string relative = decoded->substr(1);
    if (!isSafeRelative(relative)) return std::nullopt;
    if (relative.empty() || relative == "index.html") return index();

    const std::filesystem::path candidate = root_ / relative;
    std::error_code ec;
    if (hasIndex_ && std::filesystem::is_regular_file(candidate, ec)) {
        const bool hashed = relative.starts_with("assets/");
        return StaticAsset{candidate,
                           {},
                           mimeType(candidate.extension().string()),
                           hashed ? kImmutable : kRevalidate};
    }
    // App routes have no file extension; a missing asset with one is a real 404.
    const auto lastSegment = relative.substr(relative.rfind('/') + 1);
    if (lastSegment.find('.') == std::string::npos) return index();
    return std::nullopt;
}

}  // namespace pulsemeet::net
