#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace pulsemeet::net {

// Where a request for a page or asset is answered from.
struct StaticAsset {
    std::filesystem::path file;  // empty: serve `inlineBody`
    std::string inlineBody;
    std::string_view contentType;
    std::string_view cacheControl;
};

// The browser client's files: exact files, the SPA fallback to index.html for app routes
// (`/`, `/r/<roomId>`), and a built-in page when the client has not been built yet.
//
// The set of servable files is read from the folder once, at start-up: only regular files whose
// real path (after every symlink) lies inside the folder's real path, none hidden (a name that
// starts with `.`). A request is answered from that set by exact name and never by joining a
// request path onto the folder, so no spelling of a path (`//etc/passwd`, `%2F`, `..`, a symlink
// that leads out) can reach a file outside it. A client rebuilt while the server runs is seen
// at the next start.
class StaticFiles {
  public:
    // At most this many files are taken from the folder (a STATIC_DIR pointed at `/` by mistake
    // must not walk the whole disk); `truncated()` says when the folder held more.
    static constexpr std::size_t kMaxFiles = 20000;

    explicit StaticFiles(const std::filesystem::path& root);

    // nullopt: not found (a missing asset, or a path that is refused).
    std::optional<StaticAsset> resolve(std::string_view target) const;
    bool hasClient() const { return hasIndex_; }
    const std::filesystem::path& root() const { return root_; }
    std::size_t fileCount() const { return files_.size(); }
    bool truncated() const { return truncated_; }

  private:
    std::optional<StaticAsset> index() const;

    std::filesystem::path root_;  // canonical, when the folder exists
    // Request path without its leading `/` ("assets/app-1234.js") -> the file's real path.
    std::unordered_map<std::string, std::filesystem::path> files_;
    bool hasIndex_ = false;
    bool truncated_ = false;
};

// The request target's path as a name inside the client folder ("" for `/`, "assets/a.js" for
// `/assets/a.js`), or nullopt when the path is refused: not starting with `/`, a malformed
// percent escape, an encoded `/`, `\`, `%` or NUL, an empty, `.` or `..` segment, a backslash or a
// control character.
std::optional<std::string> staticRequestName(std::string_view target);

std::string_view mimeType(std::string_view extension);

}  // namespace pulsemeet::net
