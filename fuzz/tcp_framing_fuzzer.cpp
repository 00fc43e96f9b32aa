// libFuzzer target: the bytes an ICE-TCP client sends (RFC 4571 framing, server/src/media/
// Rfc4571Reader), handed to the reader in pieces whose sizes the input itself chooses, as a
// socket would. Invariants beyond "no crash, no sanitizer report": the frames come out the same
// however the stream is cut (compared with one read of the whole stream), none is longer than
// the reader's limit or empty, and once the reader reports a framing error it stays in it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "media/Rfc4571Reader.hpp"

namespace {

using pulsemeet::media::Rfc4571Reader;

constexpr std::size_t kMaxFrame = 1500;

void require(bool condition) {
    if (!condition) std::abort();  // a broken invariant: a finding
}

struct Outcome {
    std::vector<std::vector<std::uint8_t>> frames;
    Rfc4571Reader::Status status = Rfc4571Reader::Status::ok;
};

// Feeds `stream` in pieces of 1..`cut` bytes (each no larger than what the reader can take).
Outcome read(std::span<const std::uint8_t> stream, std::size_t cut) {
    Rfc4571Reader reader(kMaxFrame);
    Outcome outcome;
    std::size_t at = 0;
    std::size_t step = 0;
    while (at < stream.size() && reader.status() == Rfc4571Reader::Status::ok) {
        const auto writable = reader.writable();
        require(!writable.empty());
        const std::size_t piece = 1 + (step++ * 7 + at) % cut;
        const std::size_t count = std::min({piece, writable.size(), stream.size() - at});
        std::copy_n(stream.begin() + static_cast<std::ptrdiff_t>(at), count, writable.begin());
        at += count;
        outcome.status = reader.commit(count, [&](std::span<std::uint8_t> frame) {
            require(!frame.empty() && frame.size() <= kMaxFrame);
            outcome.frames.emplace_back(frame.begin(), frame.end());
        });
        if (outcome.status != Rfc4571Reader::Status::ok) {
            require(reader.commit(0, [](std::span<std::uint8_t>) { std::abort(); }) ==
                    outcome.status);
        }
    }
    return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::size_t cut = 1 + data[0] % 64;
    const std::span<const std::uint8_t> stream(data + 1, size - 1);
    const auto whole = read(stream, kMaxFrame * 4);
    const auto pieces = read(stream, cut);
    require(whole.status == pieces.status);
    require(whole.frames == pieces.frames);
    // Framing what came out reproduces the start of the stream.
    std::vector<std::uint8_t> reframed;
    for (const auto& frame : whole.frames) require(Rfc4571Reader::appendFrame(reframed, frame));
    if (whole.status == Rfc4571Reader::Status::ok) {
        // Empty frames are skipped, so compare without them: strip zero-length prefixes.
        std::vector<std::uint8_t> expected;
        std::size_t at = 0;
        while (stream.size() - at >= 2) {
            const std::size_t length = (std::size_t{stream[at]} << 8) | stream[at + 1];
            if (stream.size() - at - 2 < length) break;
            if (length > 0)
                expected.insert(expected.end(), stream.begin() + static_cast<std::ptrdiff_t>(at),
                                stream.begin() + static_cast<std::ptrdiff_t>(at + 2 + length));
            at += 2 + length;
        }
        require(reframed == expected);
    }
    return 0;
}
