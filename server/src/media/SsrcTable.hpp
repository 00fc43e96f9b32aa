#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <utility>

// Per-SSRC state looked up on every packet (an SRTP session's replay windows and indexes). The
// state lives in an unordered_map, whose elements never move (nothing is erased, and a rehash
// keeps them where they are), so a pointer to one stays valid; the last kRecent SSRCs looked up
// are kept beside it in two flat arrays, the SSRCs in one cache line, searched before the map is
// hashed. One "last SSRC" would seldom hit: a subscriber's outbound session protects the packets
// of every stream it is sent, interleaved (ten in a room of six, audio and video). More streams
// than kRecent still work, at the map's price for the ones that miss. Move-only: the pointers
// go with the map's elements.
namespace pulsemeet::media {

template <typename State>
class SsrcTable {
  public:
    static constexpr std::size_t kRecent = 16;

    SsrcTable() = default;
    SsrcTable(SsrcTable&& other) noexcept
        : states_(std::move(other.states_)),
          ssrcs_(other.ssrcs_),
          recent_(other.recent_),
          used_(std::exchange(other.used_, 0)),
          next_(std::exchange(other.next_, 0)) {}
    SsrcTable& operator=(SsrcTable&& other) noexcept {
        states_ = std::move(other.states_);
        ssrcs_ = other.ssrcs_;
        recent_ = other.recent_;
        used_ = std::exchange(other.used_, 0);
        next_ = std::exchange(other.next_, 0);
        return *this;
    }
    SsrcTable(const SsrcTable&) = delete;
    SsrcTable& operator=(const SsrcTable&) = delete;

    // The SSRC's state; null when it has none.
    State* find(std::uint32_t ssrc) {
        if (State* hit = recent(ssrc)) return hit;
        const auto found = states_.find(ssrc);
        if (found == states_.end()) return nullptr;
        remember(ssrc, found->second);
        return &found->second;
    }

    // The SSRC's state, made (value-initialised) when it has none.
    State& findOrAdd(std::uint32_t ssrc) {
        if (State* hit = recent(ssrc)) return *hit;
        State& state = states_.try_emplace(ssrc).first->second;
        remember(ssrc, state);
        return state;
    }

    std::size_t size() const { return states_.size(); }

  private:
    State* recent(std::uint32_t ssrc) const {
        for (std::size_t i = 0; i < used_; ++i)
            if (ssrcs_[i] == ssrc) return recent_[i];
        return nullptr;
    }

    // Round robin: the oldest remembered SSRC makes room.
    void remember(std::uint32_t ssrc, State& state) {
        ssrcs_[next_] = ssrc;
        recent_[next_] = &state;
        next_ = (next_ + 1) % kRecent;
        if (used_ < kRecent) ++used_;
    }

    std::unordered_map<std::uint32_t, State> states_;
    std::array<std::uint32_t, kRecent> ssrcs_{};
    std::array<State*, kRecent> recent_{};
    std::size_t used_ = 0;
    std::size_t next_ = 0;
};

}  // namespace pulsemeet::media
