#include "cluster/ClusterEvent.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <array>

namespace pulsemeet::cluster {
namespace json = boost::json;

namespace {

constexpr std::array<std::string_view, 7> kKindNames = {"joined", "left",  "media", "relay",
                                                        "sfu",    "owner", "chat"};

std::optional<wire::MessageType> typeNamed(std::string_view name) {
    for (std::size_t i = 0; i < wire::kMessageTypeCount; ++i) {
        const auto type = static_cast<wire::MessageType>(i);
        if (wire::toString(type) == name) return type;
    }
    return std::nullopt;
}

std::string field(const json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    if (value == nullptr || !value->is_string()) return {};
    return std::string(value->get_string());
}

}  // namespace

std::string encodeEvent(const ClusterEvent& event) {
    json::object object;
    object["v"] = 1;
    object["kind"] = kKindNames[static_cast<std::size_t>(event.kind)];
    object["src"] = event.source;
    object["room"] = event.roomId;
    object["peer"] = event.peerId;
    if (!event.targetId.empty()) object["target"] = event.targetId;
    object["type"] = wire::toString(event.type);
    if (event.kind == ClusterEvent::Kind::joined) object["name"] = event.name;
    if (!event.mediaJson.empty()) object["media"] = event.mediaJson;
    object["msg"] = event.envelope;
    if (event.sequence != 0) object["seq"] = event.sequence;
    if (event.expiresAtMs != 0) object["exp"] = event.expiresAtMs;
    if (event.offer != 0) object["offer"] = event.offer;
    return json::serialize(object);
}

std::optional<ClusterEvent> decodeEvent(std::string_view text) {
    boost::system::error_code ec;
    const json::value parsed = json::parse(text, ec);
    if (ec || !parsed.is_object()) return std::nullopt;
    const json::object& object = parsed.get_object();
    const auto* version = object.if_contains("v");
    if (version == nullptr || !version->is_int64() || version->get_int64() != 1) {
        return std::nullopt;
    }
    ClusterEvent event;
    const std::string kind = field(object, "kind");
    bool known = false;
    for (std::size_t i = 0; i < kKindNames.size(); ++i) {
        if (kKindNames[i] == kind) {
            event.kind = static_cast<ClusterEvent::Kind>(i);
            known = true;
        }
    }
    const auto type = typeNamed(field(object, "type"));
    if (!known || !type) return std::nullopt;
    event.type = *type;
    event.source = field(object, "src");
    event.roomId = field(object, "room");
    event.peerId = field(object, "peer");
    event.targetId = field(object, "target");
    event.name = field(object, "name");
    event.mediaJson = field(object, "media");
    event.envelope = field(object, "msg");
    if (const auto* sequence = object.if_contains("seq")) {
        if (sequence->is_uint64()) {
            event.sequence = sequence->get_uint64();
        } else if (sequence->is_int64() && sequence->get_int64() > 0) {
            event.sequence = static_cast<std::uint64_t>(sequence->get_int64());
        } else {
            return std::nullopt;
        }
    }
    if (const auto* expires = object.if_contains("exp")) {
        if (!expires->is_int64()) return std::nullopt;
        event.expiresAtMs = expires->get_int64();
    }
    if (const auto* offer = object.if_contains("offer")) {
        if (offer->is_uint64()) {
            event.offer = offer->get_uint64();
        } else if (offer->is_int64() && offer->get_int64() > 0) {
            event.offer = static_cast<std::uint64_t>(offer->get_int64());
        } else {
            return std::nullopt;
        }
    }
    const bool needsTarget =
        event.kind == ClusterEvent::Kind::relay || event.kind == ClusterEvent::Kind::sfu;
    if (event.source.empty() || event.roomId.empty() || event.peerId.empty() ||
        event.envelope.empty() || (needsTarget && event.targetId.empty())) {
        return std::nullopt;
    }
    return event;
}

}  // namespace pulsemeet::cluster
