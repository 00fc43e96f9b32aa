#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <vector>

struct bio_method_st;

namespace pulsemeet::media {

// The datagrams a DTLS connection wants sent, until its owner takes them. Bounded: a full queue
// drops (and counts) the new datagram; DTLS retransmits its flights anyway.
struct DtlsDatagramQueue {
    std::deque<std::vector<std::uint8_t>> datagrams;
    std::size_t maxDatagrams = 64;
    std::uint64_t dropped = 0;

    void push(std::span<const std::uint8_t> datagram) {
        if (datagrams.size() >= maxDatagrams) {
            ++dropped;
            return;
        }
        datagrams.emplace_back(datagram.begin(), datagram.end());
    }
};

// An OpenSSL BIO method whose every write is one datagram pushed onto the DtlsDatagramQueue set
// as the BIO's data (BIO_set_data). A memory BIO would concatenate a flight's records into one
// byte stream, so the records of a flight could no longer be sent one datagram each under the
// MTU. The caller owns the result (BIO_meth_free).
bio_method_st* makeDatagramBioMethod();

}  // namespace pulsemeet::media
