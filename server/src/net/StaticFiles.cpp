#include "net/StaticFiles.hpp"

#include <algorithm>
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

// A byte that may never appear in a servable name, raw or decoded: `/` and `%` only where the
// raw path has them (an encoded one is someone trying to hide it), `\`, NUL and other controls.
bool forbiddenDecoded(unsigned char c) {
    return c == '/' || c == '\\' || c == '%' || c < 0x20 || c == 0x7f;
}

bool forbiddenSegment(std::string_view segment) {
    if (segment.empty() || segment == "." || segment == "..") return true;
    for (const unsigned char c : segment) {
        if (c == '\\' || c < 0x20 || c == 0x7f) return true;
    }
    return false;
}

bool insideRoot(const std::filesystem::path& file, const std::filesystem::path& root) {
    const auto [rootEnd, fileAt] =
        std::mismatch(root.begin(), root.end(), file.begin(), file.end());
    return rootEnd == root.end() && fileAt != file.end();
}

}  // namespace

std::optional<std::string> staticRequestName(std::string_view target) {
    const std::string_view path = target.substr(0, target.find_first_of("?#"));
    if (path.empty() || path.front() != '/') return std::nullopt;
    std::string name;
    name.reserve(path.size());
    for (std::size_t i = 1; i < path.size(); ++i) {
        if (path[i] != '%') {
            name += path[i];
            continue;
        }
        if (i + 2 >= path.size()) return std::nullopt;
        const int hi = hexValue(path[i + 1]);
        const int lo = hexValue(path[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        const auto decoded = static_cast<unsigned char>(hi * 16 + lo);
        if (forbiddenDecoded(decoded)) return std::nullopt;
        name += static_cast<char>(decoded);
        i += 2;
    }
    if (name.empty()) return name;
    std::size_t start = 0;
    while (true) {
        const auto slash = name.find('/', start);
        const std::string_view segment = std::string_view(name).substr(
            start, slash == std::string::npos ? slash : slash - start);
        if (forbiddenSegment(segment)) return std::nullopt;
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    return name;
}

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

StaticFiles::StaticFiles(const std::filesystem::path& root) : root_(root) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path real = fs::canonical(root, ec);
    if (ec || !fs::is_directory(real, ec)) return;
    root_ = real;
    fs::recursive_directory_iterator it(real, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const fs::path& path = it->path();
        if (path.filename().string().starts_with('.')) {
            if (it->is_directory(ec)) it.disable_recursion_pending();
            continue;
        }
        if (!it->is_regular_file(ec)) continue;  // follows a symlink: its target must be a file
        const fs::path file = fs::canonical(path, ec);
        if (ec || !insideRoot(file, real)) continue;
        auto name = path.lexically_relative(real).generic_string();
        if (!staticRequestName("/" + name)) continue;  // a name no request could ask for
        if (files_.size() == kMaxFiles) {
            truncated_ = true;
            break;
        }
        files_.emplace(std::move(name), file);
    }
    hasIndex_ = files_.contains("index.html");
}

std::optional<StaticAsset> StaticFiles::index() const {
    if (!hasIndex_) {
        return StaticAsset{{}, std::string(kPlaceholder), mimeType(".html"), kRevalidate};
    }
    return StaticAsset{files_.at("index.html"), {}, mimeType(".html"), kRevalidate};
}

std::optional<StaticAsset> StaticFiles::resolve(std::string_view target) const {
    const auto name = staticRequestName(target);
    if (!name) return std::nullopt;
    if (name->empty() || *name == "index.html") return index();
    if (const auto found = files_.find(*name); found != files_.end()) {
        const bool hashed = name->starts_with("assets/");
        return StaticAsset{found->second,
                           {},
                           mimeType(std::filesystem::path(*name).extension().string()),
                           hashed ? kImmutable : kRevalidate};
    }
    // App routes have no file extension; a missing asset with one is a real 404.
    const auto lastSegment = std::string_view(*name).substr(name->rfind('/') + 1);
    if (lastSegment.find('.') == std::string_view::npos) return index();
    return std::nullopt;
}

}  // namespace pulsemeet::net
