#include "signaling/ClientMessage.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <optional>

#include "obs/JsonText.hpp"
#include "signaling/DisplayName.hpp"

namespace pulsemeet::signaling {
namespace json = boost::json;

namespace {

constexpr std::size_t kMaxNameChars = 64;
constexpr std::size_t kMaxCandidateBytes = 4096;
constexpr std::size_t kMaxMediaFlags = 8;
constexpr std::size_t kMaxMediaFlagName = 32;
constexpr std::size_t kMaxTokenBytes = 1024;
constexpr unsigned kMaxJsonDepth = 16;
constexpr std::size_t kMaxEchoedTypeBytes = 32;  // of an unknown type, in its error

wire::SignalError fail(wire::ErrorCode code, std::string text) {
    return wire::SignalError{code, std::move(text)};
}

// Fetches an optional string field; a present field of another type is an error.
// Returns false and sets `error` when the field has the wrong type.
bool optionalString(const json::object& object, std::string_view key, std::string& out,
                    wire::SignalError& error, wire::ErrorCode code) {
    const auto* value = object.if_contains(key);
    if (value == nullptr || value->is_null()) return true;
    if (!value->is_string()) {
        error = fail(code, std::string(key) + " must be a string");
        return false;
    }
    out.assign(value->get_string().begin(), value->get_string().end());
    return true;
}

// Fetches data.received (a count of messages, so a non-negative integer) when present.
std::optional<wire::SignalError> decodeReceived(const json::object& fields,
                                                ClientMessage& message) {
    const auto* value = fields.if_contains("received");
    if (value == nullptr || value->is_null()) return std::nullopt;
    if (value->is_uint64()) {
        message.received = value->get_uint64();
    } else if (value->is_int64() && value->get_int64() >= 0) {
        message.received = static_cast<std::uint64_t>(value->get_int64());
    } else {
        return fail(wire::ErrorCode::badMessage, "data.received must be a non-negative integer");
    }
    return std::nullopt;
}

// Counts code points of valid UTF-8 (the JSON parser already rejected invalid UTF-8).
std::size_t codePoints(std::string_view text) {
    std::size_t count = 0;
    for (unsigned char c : text) {
        if ((c & 0xC0) != 0x80) ++count;
    }
    return count;
}

// At most `maxBytes` of valid UTF-8 `text`, cut before a code point that would not fit whole:
// echoed in an error, half a character would make the reply invalid UTF-8, which a browser
// answers by failing the WebSocket.
std::string_view utf8Prefix(std::string_view text, std::size_t maxBytes) {
    if (text.size() <= maxBytes) return text;
    std::size_t cut = maxBytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return text.substr(0, cut);
}

std::optional<wire::SignalError> decodeRoomId(const json::object& envelope,
                                              ClientMessage& message) {
    wire::SignalError error{};
    if (!optionalString(envelope, "roomId", message.roomId, error,
                        wire::ErrorCode::invalidRoomId)) {
        return error;
    }
    if (!isValidRoomId(message.roomId)) {
        return fail(wire::ErrorCode::invalidRoomId,
                    "roomId must be 3 to 64 characters of A-Z, a-z, 0-9, _ or -");
    }
    return std::nullopt;
}

std::optional<wire::SignalError> decodeJoin(const json::object& envelope, ClientMessage& message) {
    wire::SignalError error{};
    if (auto bad = decodeRoomId(envelope, message)) return bad;
    const auto* data = envelope.if_contains("data");
    if (data == nullptr || data->is_null()) return std::nullopt;
    if (!data->is_object()) return fail(wire::ErrorCode::badMessage, "data must be an object");
    const auto& fields = data->get_object();
    std::string name;
    if (!optionalString(fields, "name", name, error, wire::ErrorCode::invalidName)) return error;
    // Control and bidi-override characters are dropped rather than refused: what others see
    // is the name without them (empty: no name).
    message.name = sanitizeDisplayName(name);
    if (codePoints(message.name) > kMaxNameChars) {
        return fail(wire::ErrorCode::invalidName, "name must be at most 64 characters");
    }
    if (!optionalString(fields, "resumeToken", message.resumeToken, error,
                        wire::ErrorCode::badMessage)) {
        return error;
    }
    if (message.resumeToken.size() > kMaxTokenBytes) {
        return fail(wire::ErrorCode::badMessage, "resumeToken is too long");
    }
    if (const auto* sfu = fields.if_contains("sfu"); sfu != nullptr && !sfu->is_null()) {
        if (!sfu->is_bool()) return fail(wire::ErrorCode::badMessage, "data.sfu must be a boolean");
        message.sfuCapable = sfu->get_bool();
    }
    return decodeReceived(fields, message);
}

// sfu-offer: {type, sdp}. Its size is bounded by MAX_MESSAGE_BYTES, as a relayed offer's is; the
// media server's SDP parser applies its own limits.
std::optional<wire::SignalError> decodeSfuOffer(const json::object& envelope,
                                                ClientMessage& message) {
    const auto* sdp = envelope.if_contains("sdp");
    if (sdp == nullptr || !sdp->is_string() || !sdp->get_string().starts_with("v=0")) {
        return fail(wire::ErrorCode::invalidSdp, "sdp must be a session description starting v=0");
    }
    message.sdp.assign(sdp->get_string().begin(), sdp->get_string().end());
    return std::nullopt;
}

// Whether valid UTF-8 `text` starts with a control character (C0, DEL, C1).
bool startsWithControl(std::string_view text) {
    const auto first = static_cast<unsigned char>(text[0]);
    if (first < 0x20 || first == 0x7f) return true;
    // U+0080..U+009F are C2 80..C2 9F in UTF-8.
    return first == 0xC2 && text.size() > 1 && static_cast<unsigned char>(text[1]) <= 0x9F;
}

// chat: {type, text}. The text others see is trimmed of spaces; it must then be 1..2000
// characters with no control characters (a line break or an escape sequence in someone else's
// chat is never harmless).
std::optional<wire::SignalError> decodeChat(const json::object& envelope, ClientMessage& message) {
    const auto* text = envelope.if_contains("text");
    if (text == nullptr || !text->is_string()) {
        return fail(wire::ErrorCode::badMessage, "text must be a string");
    }
    std::string_view line(text->get_string().data(), text->get_string().size());
    const auto first = line.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) {
        return fail(wire::ErrorCode::badMessage, "text is empty");
    }
    line = line.substr(first, line.find_last_not_of(" \t\r\n") - first + 1);
    if (codePoints(line) > kMaxChatChars) {
        return fail(wire::ErrorCode::badMessage, "text must be at most 2000 characters");
    }
    for (std::size_t i = 0; i < line.size(); ++i) {
        if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80 &&
            startsWithControl(line.substr(i))) {
            return fail(wire::ErrorCode::badMessage, "text must not contain control characters");
        }
    }
    message.text.assign(line);
    return std::nullopt;
}

std::optional<wire::SignalError> decodeTarget(const json::object& envelope,
                                              ClientMessage& message) {
    wire::SignalError error{};
    if (!optionalString(envelope, "targetId", message.targetId, error,
                        wire::ErrorCode::badMessage)) {
        return error;
    }
    if (message.targetId.empty()) return fail(wire::ErrorCode::badMessage, "targetId is required");
    return std::nullopt;
}

const json::object* dataObject(const json::object& envelope) {
    const auto* data = envelope.if_contains("data");
    return data != nullptr && data->is_object() ? &data->get_object() : nullptr;
}

std::optional<wire::SignalError> decodeDescription(const json::object& envelope,
                                                   ClientMessage& message) {
    if (auto error = decodeTarget(envelope, message)) return error;
    const auto* data = dataObject(envelope);
    const std::string_view expected = wire::toString(message.type);
    if (data == nullptr) {
        return fail(wire::ErrorCode::invalidSdp, "data must be an object with type and sdp");
    }
    const auto* type = data->if_contains("type");
    if (type == nullptr || !type->is_string() || type->get_string() != expected) {
        return fail(wire::ErrorCode::invalidSdp,
                    "data.type must be \"" + std::string(expected) + "\"");
    }
    const auto* sdp = data->if_contains("sdp");
    if (sdp == nullptr || !sdp->is_string() || !sdp->get_string().starts_with("v=0")) {
        return fail(wire::ErrorCode::invalidSdp,
                    "data.sdp must be a session description starting v=0");
    }
    // Written straight into the relayed text: a json::object copy of the fields and its
    // serialisation cost three heap allocations per relayed frame.
    auto& out = message.dataJson;
    out.reserve(sdp->get_string().size() + 32);
    out += "{\"type\":";
    obs::appendJsonString(out, type->get_string());
    out += ",\"sdp\":";
    obs::appendJsonString(out, sdp->get_string());
    out += '}';
    return std::nullopt;
}

std::optional<wire::SignalError> decodeCandidate(const json::object& envelope,
                                                 ClientMessage& message) {
    if (auto error = decodeTarget(envelope, message)) return error;
    const auto* data = dataObject(envelope);
    if (data == nullptr) return fail(wire::ErrorCode::invalidCandidate, "data must be an object");
    const auto* candidate = data->if_contains("candidate");
    if (candidate == nullptr || !candidate->is_string()) {
        return fail(wire::ErrorCode::invalidCandidate, "data.candidate must be a string");
    }
    const auto& text = candidate->get_string();
    // An empty candidate is the end-of-candidates marker; anything else is an SDP a=candidate.
    if (!text.empty() && !text.starts_with("candidate:")) {
        return fail(wire::ErrorCode::invalidCandidate, "data.candidate must start with candidate:");
    }
    if (text.size() > kMaxCandidateBytes) {
        return fail(wire::ErrorCode::invalidCandidate, "data.candidate is too long");
    }
    // Written straight into the relayed text (see decodeDescription), fields in this order.
    auto& out = message.dataJson;
    out.reserve(text.size() + 96);
    out += "{\"candidate\":";
    obs::appendJsonString(out, text);
    if (const auto* mid = data->if_contains("sdpMid"); mid != nullptr && !mid->is_null()) {
        if (!mid->is_string()) {
            return fail(wire::ErrorCode::invalidCandidate, "data.sdpMid must be a string");
        }
        out += ",\"sdpMid\":";
        obs::appendJsonString(out, mid->get_string());
    }
    if (const auto* index = data->if_contains("sdpMLineIndex");
        index != nullptr && !index->is_null()) {
        const bool inRange =
            (index->is_int64() && index->get_int64() >= 0 && index->get_int64() <= 65535) ||
            (index->is_uint64() && index->get_uint64() <= 65535);
        if (!inRange) {
            return fail(wire::ErrorCode::invalidCandidate,
                        "data.sdpMLineIndex must be an integer from 0 to 65535");
        }
        out += ",\"sdpMLineIndex\":";
        out += std::to_string(index->is_int64() ? index->get_int64()
                                                : static_cast<std::int64_t>(index->get_uint64()));
    }
    if (const auto* fragment = data->if_contains("usernameFragment");
        fragment != nullptr && !fragment->is_null()) {
        if (!fragment->is_string()) {
            return fail(wire::ErrorCode::invalidCandidate,
                        "data.usernameFragment must be a string");
        }
        out += ",\"usernameFragment\":";
        obs::appendJsonString(out, fragment->get_string());
    }
    out += '}';
    return std::nullopt;
}

std::optional<wire::SignalError> decodeMediaState(const json::object& envelope,
                                                  ClientMessage& message) {
    const auto* data = dataObject(envelope);
    if (data == nullptr) {
        return fail(wire::ErrorCode::badMessage, "data must be an object {audio, video, screen}");
    }
    for (const char* required : {"audio", "video", "screen"}) {
        const auto* flag = data->if_contains(required);
        if (flag == nullptr || !flag->is_bool()) {
            return fail(wire::ErrorCode::badMessage,
                        std::string("data.") + required + " must be a boolean");
        }
    }
    // Further flags (recording, hand, ...) travel too, as long as they are booleans.
    if (data->size() > kMaxMediaFlags) {
        return fail(wire::ErrorCode::badMessage, "data has too many flags");
    }
    for (const auto& entry : *data) {
        if (!entry.value().is_bool() || entry.key().size() > kMaxMediaFlagName) {
            return fail(wire::ErrorCode::badMessage,
                        "data flags must be booleans with short names");
        }
    }
    message.dataJson = json::serialize(*data);
    return std::nullopt;
}

}  // namespace

bool isValidRoomId(std::string_view roomId) {
    if (roomId.size() < 3 || roomId.size() > 64) return false;
    for (char c : roomId) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

DecodeResult decodeClientMessage(std::string_view text) {
    // Most messages fit the stack buffer, so parsing allocates nothing on the heap.
    unsigned char buffer[4096];
    json::monotonic_resource resource(buffer, sizeof buffer);
    json::parse_options options;
    options.max_depth = kMaxJsonDepth;
    boost::system::error_code ec;
    json::value root = json::parse(text, ec, &resource, options);
    if (ec) return fail(wire::ErrorCode::badJson, "message is not valid JSON: " + ec.message());
    if (!root.is_object()) return fail(wire::ErrorCode::badJson, "message must be a JSON object");
    const auto& envelope = root.get_object();

    const auto* type = envelope.if_contains("type");
    if (type == nullptr || !type->is_string()) {
        return fail(wire::ErrorCode::badMessage, "type is required and must be a string");
    }
    const auto parsedType = wire::clientMessageType(type->get_string());
    if (!parsedType) {
        return fail(wire::ErrorCode::unknownType,
                    "unknown message type \"" +
                        std::string(utf8Prefix(type->get_string(), kMaxEchoedTypeBytes)) + "\"");
    }
    ClientMessage message;
    message.type = *parsedType;
    std::optional<wire::SignalError> error;
    switch (message.type) {
        case wire::MessageType::join:
            error = decodeJoin(envelope, message);
            break;
        case wire::MessageType::offer:
        case wire::MessageType::answer:
            error = decodeDescription(envelope, message);
            break;
        case wire::MessageType::iceCandidate:
            error = decodeCandidate(envelope, message);
            break;
        case wire::MessageType::mediaState:
            error = decodeMediaState(envelope, message);
            break;
        case wire::MessageType::ping:
            if (const auto* data = dataObject(envelope)) error = decodeReceived(*data, message);
            break;
        case wire::MessageType::sfuOffer:
        case wire::MessageType::sfuProbe:
            error = decodeSfuOffer(envelope, message);
            break;
        case wire::MessageType::sfuView:
            error = decodeSfuView(envelope, message.views);
            break;
        case wire::MessageType::chat:
            error = decodeChat(envelope, message);
            break;
        case wire::MessageType::preview:
            error = decodeRoomId(envelope, message);
            break;
        case wire::MessageType::meshUnreachable:
            error = decodeTarget(envelope, message);
            break;
        default:
            break;  // leave, sfu-leave: nothing to check
    }
    if (error) return *error;
    return message;
}

}  // namespace pulsemeet::signaling
