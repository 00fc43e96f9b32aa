#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

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
class StaticFiles {
  public:
    explicit StaticFiles(std::filesystem::path root);

    // nullopt: not found (a missing asset, or a path trying to leave the root).
    std::optional<StaticAsset> resolve(std::string_view target) const;
    bool hasClient() const { return hasIndex_; }
    const std::filesystem::path& root() const { return root_; }

  private:
    std::optional<StaticAsset> index() const;

    std::filesystem::path root_;
    bool hasIndex_ = false;
};

std::string_view mimeType(std::string_view extension);

}  // namespace pulsemeet::net
