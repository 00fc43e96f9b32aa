// libFuzzer target: a request target through the static file mapper (net/StaticFiles), with a
// client folder that holds a symlink leading out of it and a secret beside it. The property is
// the one the mapper exists for: whatever the target, the file it answers with lies inside the
// folder's real path, or nothing is served. A violation aborts, so the fuzzer reports it.
#include <unistd.h>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "net/StaticFiles.hpp"

namespace {

namespace fs = std::filesystem;

struct ClientTree {
    fs::path base;
    fs::path root;

    ClientTree()
        : base(fs::temp_directory_path() / ("pulsemeet-static-fuzz-" + std::to_string(::getpid()))),
          root(base / "dist") {
        fs::create_directories(root / "assets");
        fs::create_directories(base / "outside");
        std::ofstream(root / "index.html") << "index";
        std::ofstream(root / "assets" / "app-1.js") << "app";
        std::ofstream(root / ".env") << "hidden";
        std::ofstream(base / "secret.env") << "secret";
        std::ofstream(base / "outside" / "key.pem") << "key";
        std::error_code ec;
        fs::create_symlink(base / "secret.env", root / "leak.env", ec);
        fs::create_symlink(base / "outside", root / "outdir", ec);
        root = fs::canonical(root);
    }
    ~ClientTree() {
        std::error_code ec;
        fs::remove_all(base, ec);
    }
};

bool inside(const fs::path& file, const fs::path& root) {
    auto r = root.begin();
    auto f = file.begin();
    for (; r != root.end(); ++r, ++f) {
        if (f == file.end() || *r != *f) return false;
    }
    return f != file.end();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const ClientTree tree;
    static const pulsemeet::net::StaticFiles files(tree.root);
    const std::string_view target(reinterpret_cast<const char*>(data), size);
    const auto asset = files.resolve(target);
    if (!asset || asset->file.empty()) return 0;
    const fs::path real = fs::canonical(asset->file);
    if (!inside(real, tree.root) || real.filename() == ".env") std::abort();
    return 0;
}
