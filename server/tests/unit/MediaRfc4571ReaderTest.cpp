// RFC 4571 framing of ICE over TCP: packets come back whole whatever pieces the stream is read
// in, a length above the limit stops the reader, and garbage never makes it grow.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

#include "media/Rfc4571Reader.hpp"

namespace pulsemeet::media {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes packet(std::size_t size, std::uint8_t seed) {
    Bytes bytes(size);
    for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>(seed + i);
    return bytes;
}

Bytes framed(const std::vector<Bytes>& packets) {
    Bytes stream;
    for (const auto& p : packets) EXPECT_TRUE(Rfc4571Reader::appendFrame(stream, p));
    return stream;
}

// Feeds `stream` in pieces of `piece` bytes; returns the packets read.
std::vector<Bytes> readInPieces(Rfc4571Reader& reader, const Bytes& stream, std::size_t piece,
                                Rfc4571Reader::Status& status) {
    std::vector<Bytes> out;
    std::size_t at = 0;
    status = Rfc4571Reader::Status::ok;
    while (at < stream.size() && status == Rfc4571Reader::Status::ok) {
        auto space = reader.writable();
        const auto count = std::min({piece, space.size(), stream.size() - at});
        std::copy_n(stream.begin() + static_cast<std::ptrdiff_t>(at), count, space.begin());
        at += count;
        status = reader.commit(count, [&out](std::span<std::uint8_t> frame) {
            out.emplace_back(frame.begin(), frame.end());
        });
    }
    return out;
}

TEST(MediaRfc4571ReaderTest, PacketsComeBackWholeWhateverTheReadSizes) {
    const std::vector<Bytes> packets = {packet(20, 1), packet(1200, 2), packet(1, 3),
                                        packet(1500, 4), packet(100, 5)};
    const Bytes stream = framed(packets);
    for (const std::size_t piece : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7},
                                    std::size_t{1000}, stream.size()}) {
        Rfc4571Reader reader(1500);
        Rfc4571Reader::Status status{};
        EXPECT_EQ(readInPieces(reader, stream, piece, status), packets) << "piece " << piece;
        EXPECT_EQ(status, Rfc4571Reader::Status::ok);
        EXPECT_EQ(reader.pending(), 0u);
    }
}

TEST(MediaRfc4571ReaderTest, AHalfReadFrameWaitsForTheRest) {
    Rfc4571Reader reader(1500);
    const Bytes stream = framed({packet(300, 9)});
    int frames = 0;
    auto space = reader.writable();
    std::copy_n(stream.begin(), 101, space.begin());
    reader.commit(101, [&frames](std::span<std::uint8_t>) { ++frames; });
    EXPECT_EQ(frames, 0);
    EXPECT_EQ(reader.pending(), 101u);
    space = reader.writable();
    std::copy(stream.begin() + 101, stream.end(), space.begin());
    reader.commit(stream.size() - 101, [&frames](std::span<std::uint8_t> frame) {
        ++frames;
        EXPECT_EQ(frame.size(), 300u);
    });
    EXPECT_EQ(frames, 1);
    EXPECT_EQ(reader.pending(), 0u);
}

TEST(MediaRfc4571ReaderTest, ALengthAboveTheLimitIsAFramingErrorThatSticks) {
    Rfc4571Reader reader(1500);
    // A good packet, then a prefix saying 1501 bytes: the good one is delivered, then it stops.
    Bytes stream = framed({packet(10, 1)});
    stream.push_back(0x05);
    stream.push_back(0xDD);
    Rfc4571Reader::Status status{};
    const auto out = readInPieces(reader, stream, stream.size(), status);
    EXPECT_EQ(out.size(), 1u);
    EXPECT_EQ(status, Rfc4571Reader::Status::frameTooLarge);
    EXPECT_EQ(reader.status(), Rfc4571Reader::Status::frameTooLarge);
    EXPECT_TRUE(reader.writable().empty());
    int more = 0;
    EXPECT_EQ(reader.commit(0, [&more](std::span<std::uint8_t>) { ++more; }),
              Rfc4571Reader::Status::frameTooLarge);
    EXPECT_EQ(more, 0);
}

TEST(MediaRfc4571ReaderTest, GarbageEitherStopsTheReaderOrStaysWithinItsBuffer) {
    // An HTTP request sent to the media port: "GE" = 0x4745 = 18245 bytes, far above the limit.
    const std::string http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    Rfc4571Reader reader(1500);
    Rfc4571Reader::Status status{};
    readInPieces(reader, Bytes(http.begin(), http.end()), 5, status);
    EXPECT_EQ(status, Rfc4571Reader::Status::frameTooLarge);

    // Random bytes whose prefixes happen to be small: whatever they frame, the buffer never
    // grows past the two frames it was made for.
    Rfc4571Reader small(64);
    const auto capacity = small.writable().size();
    Bytes noise;
    for (int i = 0; i < 5000; ++i)
        noise.push_back(static_cast<std::uint8_t>((i * 7919) % 61 < 2 ? 0 : (i * 31) % 64));
    readInPieces(small, noise, 13, status);
    EXPECT_LE(small.pending(), capacity);
    EXPECT_LE(small.writable().size() + small.pending(), capacity);
}

TEST(MediaRfc4571ReaderTest, EmptyFramesAreSkippedAndTheLimitsAreChecked) {
    Rfc4571Reader reader(100);
    Bytes stream = {0, 0};
    Rfc4571Reader::appendFrame(stream, packet(3, 1));
    Rfc4571Reader::Status status{};
    const auto out = readInPieces(reader, stream, 64, status);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], packet(3, 1));
    EXPECT_THROW(Rfc4571Reader(0), std::invalid_argument);
    EXPECT_THROW(Rfc4571Reader(65536), std::invalid_argument);
    Bytes tooBig;
    EXPECT_FALSE(Rfc4571Reader::appendFrame(tooBig, Bytes(65536)));
    EXPECT_TRUE(tooBig.empty());
}

}  // namespace
}  // namespace pulsemeet::media
