#include "net/AccessGate.hpp"

#include "signaling/DisplayName.hpp"

namespace pulsemeet::net {

AccessGate::AccessGate(std::string signalingToken, std::string jwtSecret)
    : signalingToken_(std::move(signalingToken)) {
    if (!jwtSecret.empty()) roomTokens_.emplace(std::move(jwtSecret));
}

AccessGate::Decision AccessGate::check(const auth::UpgradeCredentials& credentials,
                                       auth::RoomTokenVerifier::Clock::time_point now) const {
    Decision decision;
    decision.token = auth::presentedToken(credentials).value_or(std::string());
    if (roomTokens_) {
        const auto verified = roomTokens_->verify(decision.token, now);
        if (const auto* grant = std::get_if<auth::RoomGrant>(&verified)) {
            // The token's name is shown like a typed one: without control or bidi characters.
            decision.admission = signaling::Admission{
                grant->room, signaling::sanitizeDisplayName(grant->name), grant->expiresAt, {}};
        } else {
            const auto refusal = std::get<auth::TokenRefusal>(verified);
            decision.refusal = {std::string(auth::refusalCode(refusal)),
                                std::string(auth::refusalReason(refusal))};
        }
        return decision;
    }
    if (!signalingToken_.empty()) {
        if (decision.token.empty()) {
            decision.refusal = {"token-missing", "no token"};
        } else if (!auth::secretsEqual(decision.token, signalingToken_)) {
            decision.refusal = {"token-invalid", "wrong signaling token"};
        } else {
            decision.admission = signaling::Admission{};
        }
        return decision;
    }
    decision.admission = signaling::Admission{};
    return decision;
}

}  // namespace pulsemeet::net
