// libFuzzer target: the VP8 payload descriptor (RFC 7741 §4.2) and its rewriting across a
// simulcast switch (server/src/media/Vp8PayloadDescriptor). The input is a series of payloads
// (each prefixed by a one-byte length; the length's top bit asks for a sync() first, as a layer
// switch does). Invariants beyond "no crash, no sanitizer report": parsed offsets lie inside the
// payload; rewriting changes only the picture id and TL0PICIDX bytes, keeps the M bit and a
// short id short, and leaves the descriptor parseable with the same layout; a key frame's size
// is read only from a payload that parses.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "media/Vp8PayloadDescriptor.hpp"

namespace {

using namespace pulsemeet::media;

void require(bool condition) {
    if (!condition) std::abort();  // a broken invariant: a finding
}

void check(Vp8PictureIdRewriter& rewriter, std::span<const std::uint8_t> original) {
    const auto parsed = parseVp8PayloadDescriptor(original);
    if (vp8KeyFrameSize(original)) require(parsed.has_value());
    std::vector<std::uint8_t> payload(original.begin(), original.end());
    const bool rewritten = rewriter.rewrite(payload);
    if (!parsed) {
        require(!rewritten && std::equal(payload.begin(), payload.end(), original.begin()));
        return;
    }
    require(parsed->headerSize <= original.size());
    if (parsed->pictureId) {
        require(parsed->pictureIdOffset + (parsed->longPictureId ? 2 : 1) <= parsed->headerSize);
        require(*parsed->pictureId < (parsed->longPictureId ? 0x8000 : 0x80));
    }
    if (parsed->tl0PicIdx) require(parsed->tl0PicIdxOffset < parsed->headerSize);
    require(rewritten == parsed->pictureId.has_value());
    for (std::size_t i = 0; i < payload.size(); ++i) {
        const bool pictureIdByte = parsed->pictureId && i >= parsed->pictureIdOffset &&
                                   i < parsed->pictureIdOffset + (parsed->longPictureId ? 2 : 1);
        const bool tl0Byte = parsed->tl0PicIdx && i == parsed->tl0PicIdxOffset && rewritten;
        if (!pictureIdByte && !tl0Byte) require(payload[i] == original[i]);
    }
    const auto after = parseVp8PayloadDescriptor(payload);
    require(after.has_value());
    require(after->headerSize == parsed->headerSize);
    require(after->longPictureId == parsed->longPictureId);
    require(after->pictureId.has_value() == parsed->pictureId.has_value());
    require(after->tl0PicIdx.has_value() == parsed->tl0PicIdx.has_value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> input(data, size);
    Vp8PictureIdRewriter rewriter;
    std::size_t at = 0;
    while (at < input.size()) {
        const std::uint8_t header = input[at++];
        if ((header & 0x80) != 0) rewriter.sync();
        const std::size_t length = std::min<std::size_t>(header & 0x7F, input.size() - at);
        check(rewriter, input.subspan(at, length));
        at += length;
    }
    return 0;
}
