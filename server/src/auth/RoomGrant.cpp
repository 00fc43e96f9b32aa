#include "auth/RoomGrant.hpp"

namespace pulsemeet::auth {

std::string_view refusalCode(TokenRefusal refusal) {
    switch (refusal) {
        case TokenRefusal::missing:
            return "token-missing";
        case TokenRefusal::expired:
            return "token-expired";
        case TokenRefusal::notYetValid:
            return "token-not-yet-valid";
        case TokenRefusal::malformed:
        case TokenRefusal::wrongAlgorithm:
        case TokenRefusal::badSignature:
        case TokenRefusal::badClaims:
            break;
    }
    return "token-invalid";
}

std::string_view refusalReason(TokenRefusal refusal) {
    switch (refusal) {
        case TokenRefusal::missing:
            return "no token";
        case TokenRefusal::malformed:
            return "malformed token";
        case TokenRefusal::wrongAlgorithm:
            return "algorithm is not HS256";
        case TokenRefusal::badSignature:
            return "bad signature";
        case TokenRefusal::expired:
            return "token expired";
        case TokenRefusal::notYetValid:
            return "token not yet valid";
        case TokenRefusal::badClaims:
            return "missing or invalid claims";
    }
    return "refused";
}

}  // namespace pulsemeet::auth
