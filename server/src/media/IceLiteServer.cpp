#include "media/IceLiteServer.hpp"

#include <algorithm>
#include <utility>

namespace pulsemeet::media {

std::optional<std::string_view> stunLocalUfrag(const StunMessage& message) {
    const auto username = message.username();
    if (!username) return std::nullopt;
    const auto colon = username->find(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    return username->substr(0, colon);
}

IceLiteServer::IceLiteServer(IceCredentials local) : current_{std::move(local), std::nullopt} {
    tuples_.reserve(kMaxTuples);
}

void IceLiteServer::setRemoteCredentials(IceCredentials remote) {
    current_.remote = std::move(remote);
}

void IceLiteServer::restart(IceCredentials local, std::optional<IceCredentials> remote) {
    // A second restart before the first completed: the oldest credentials are the ones still in
    // use on the wire, so they stay the fallback.
    if (!previous_) previous_ = current_;
    current_.local = std::move(local);
    if (remote) current_.remote = std::move(remote);
}

bool IceLiteServer::usernameMatches(std::string_view username, const CredentialPair& pair) {
    // "<our ufrag>:<their ufrag>" (RFC 8445 §7.2.2).
    const std::string_view ours = pair.local.ufrag;
    if (username.size() <= ours.size() || !username.starts_with(ours) ||
        username[ours.size()] != ':')
        return false;
    if (!pair.remote) return true;
    return username.substr(ours.size() + 1) == pair.remote->ufrag;
}

IceOutcome IceLiteServer::reject(const StunMessage& request, std::uint16_t code,
                                 std::string_view reason, std::optional<std::string_view> key) {
    StunMessageWriter writer(responseBuffer_, StunClass::error, request.method(),
                             request.transactionId());
    writer.addErrorCode(code, reason);
    if (key) writer.addMessageIntegrity(*key);
    writer.addFingerprint();
    return IceOutcome{IceVerdict::rejected, writer.bytes(), false};
}

IceOutcome IceLiteServer::handleStun(std::span<const std::uint8_t> datagram, const Endpoint& from,
                                     Clock::time_point now) {
    const auto request = StunMessage::parse(datagram);
    if (!request) {
        ++counters_.malformed;
        return {};
    }
    if (request->hasFingerprint() && !request->fingerprintValid()) {
        // RFC 5389 §8: a wrong FINGERPRINT means "not STUN"; no answer.
        ++counters_.badFingerprint;
        return {};
    }
    if (request->messageClass() != StunClass::request) {
        ++counters_.notRequest;
        return {};
    }
    // The checks and their order follow mediasoup's IceServer::ProcessStunRequest.
    if (request->method() != stun::kMethodBinding || !request->hasFingerprint() ||
        !request->priority() || !request->username() || !request->hasMessageIntegrity()) {
        ++counters_.badRequest;
        return reject(*request, stun::kErrorBadRequest, "Bad Request", std::nullopt);
    }

    std::string_view key;
    if (usernameMatches(*request->username(), current_) &&
        request->messageIntegrityValid(current_.local.password)) {
        key = current_.local.password;
        previous_.reset();  // the peer uses the new credentials: a pending restart is done
    } else if (previous_ && usernameMatches(*request->username(), *previous_) &&
               request->messageIntegrityValid(previous_->local.password)) {
        key = previous_->local.password;
    } else {
        ++counters_.unauthorized;
        return reject(*request, stun::kErrorUnauthorized, "Unauthorized", std::nullopt);
    }

    // We are always controlled; a peer that says it is controlled too has a role conflict, and
    // as lite agent we never switch (RFC 8445 §6.1.3.1, §7.3.1.1).
    if (request->iceControlled()) {
        ++counters_.roleConflict;
        return reject(*request, stun::kErrorRoleConflict, "Role Conflict", key);
    }

    StunMessageWriter writer(responseBuffer_, StunClass::success, stun::kMethodBinding,
                             request->transactionId());
    writer.addXorMappedAddress(from).addMessageIntegrity(key).addFingerprint();
    ++counters_.accepted;
    const bool changed = acceptTuple(from, request->useCandidate(), now);
    return IceOutcome{IceVerdict::accepted, writer.bytes(), changed};
}

bool IceLiteServer::acceptTuple(const Endpoint& from, bool nominated, Clock::time_point now) {
    auto it = std::find_if(tuples_.begin(), tuples_.end(),
                           [&](const Tuple& tuple) { return tuple.endpoint == from; });
    if (it != tuples_.end()) {
        it->lastValidRequest = now;
    } else {
        if (tuples_.size() == kMaxTuples) {
            // Make room by forgetting the least recently checked tuple that is not selected.
            std::optional<std::size_t> victim;
            for (std::size_t i = 0; i < tuples_.size(); ++i) {
                if (selected_ == i) continue;
                if (!victim || tuples_[i].lastValidRequest < tuples_[*victim].lastValidRequest)
                    victim = i;
            }
            tuples_.erase(tuples_.begin() + static_cast<std::ptrdiff_t>(*victim));
            if (selected_ && *selected_ > *victim) --*selected_;
        }
        tuples_.push_back(Tuple{from, now});
        it = tuples_.end() - 1;
    }
    const auto index = static_cast<std::size_t>(it - tuples_.begin());

    const auto previousSelected = selected_;
    if (nominated) {
        selected_ = index;
        state_ = IceState::completed;
    } else if (!selected_) {
        // Before any nomination the first valid tuple carries media (DTLS may start at once).
        selected_ = index;
        state_ = IceState::connected;
    }
    return previousSelected != selected_;
}

bool IceLiteServer::tick(Clock::time_point now) {
    if (tuples_.empty()) return false;
    const std::optional<Endpoint> before = selectedTuple();
    std::erase_if(tuples_, [&](const Tuple& tuple) {
        return now - tuple.lastValidRequest >= kConsentTimeout;
    });
    selected_.reset();
    if (before) {
        for (std::size_t i = 0; i < tuples_.size(); ++i)
            if (tuples_[i].endpoint == *before) selected_ = i;
    }
    if (!selected_ && !tuples_.empty()) {
        // The selected tuple lost consent but another is alive: fall back to the freshest.
        selected_ = static_cast<std::size_t>(std::max_element(tuples_.begin(), tuples_.end(),
                                                              [](const Tuple& a, const Tuple& b) {
                                                                  return a.lastValidRequest <
                                                                         b.lastValidRequest;
                                                              }) -
                                             tuples_.begin());
    }
    if (tuples_.empty()) {
        state_ = IceState::disconnected;
        return true;
    }
    return selectedTuple() != before;
}

std::optional<Endpoint> IceLiteServer::selectedTuple() const {
    if (!selected_) return std::nullopt;
    return tuples_[*selected_].endpoint;
}

bool IceLiteServer::hasTuple(const Endpoint& endpoint) const {
    return std::any_of(tuples_.begin(), tuples_.end(),
                       [&](const Tuple& tuple) { return tuple.endpoint == endpoint; });
}

}  // namespace pulsemeet::media
