#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

// RFC 4571 framing, as ICE over TCP uses it (RFC 6544 §3): every packet on the stream (STUN, DTLS,
// SRTP) is preceded by its length in two big-endian bytes. The reader turns the bytes a socket
// hands over, in whatever pieces they come, back into packets. Its buffer is fixed when it is
// made (one largest packet plus a length prefix, twice), so a peer cannot make it grow; a length
// above the largest accepted packet is a framing error and the connection should be closed (a
// real client never sends one: our MTU-sized packets are far below it). No sockets, no clock:
// unit-testable with plain byte arrays.
namespace pulsemeet::media {

class Rfc4571Reader {
  public:
    enum class Status : std::uint8_t {
        ok,
        frameTooLarge,  // a length prefix above maxFrameSize: the stream is not ours, or hostile
    };

    explicit Rfc4571Reader(std::size_t maxFrameSize);

    // Where the next read should write; never empty while the reader is ok.
    std::span<std::uint8_t> writable();

    // `count` bytes were written at the start of writable(). Calls `onFrame` with each complete
    // packet, in order (the span is valid only during the call and may be rewritten in place,
    // as SRTP decryption does). Stops at the first framing error and stays in it.
    template <typename OnFrame>
    Status commit(std::size_t count, OnFrame&& onFrame) {
        if (status_ != Status::ok) return status_;
        filled_ += count;
        std::size_t at = 0;
        while (filled_ - at >= kPrefixSize) {
            const std::size_t length = (std::size_t{buffer_[at]} << 8) | buffer_[at + 1];
            if (length > maxFrameSize_) return status_ = Status::frameTooLarge;
            if (filled_ - at < kPrefixSize + length) break;
            // RFC 4571 allows empty frames; they carry nothing for us.
            if (length > 0)
                onFrame(std::span<std::uint8_t>(buffer_.data() + at + kPrefixSize, length));
            at += kPrefixSize + length;
        }
        compact(at);
        return status_;
    }

    Status status() const { return status_; }
    std::size_t maxFrameSize() const { return maxFrameSize_; }
    // Bytes of an incomplete frame waiting for the rest.
    std::size_t pending() const { return filled_; }

    static constexpr std::size_t kPrefixSize = 2;

    // Appends `packet` with its length prefix to `out`; false (nothing appended) when it is
    // longer than a prefix can say (65535).
    static bool appendFrame(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> packet);

  private:
    void compact(std::size_t consumed);

    std::size_t maxFrameSize_;
    std::vector<std::uint8_t> buffer_;
    std::size_t filled_ = 0;
    Status status_ = Status::ok;
};

}  // namespace pulsemeet::media
