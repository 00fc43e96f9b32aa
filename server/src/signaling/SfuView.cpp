#include "signaling/SfuView.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace pulsemeet::signaling {

namespace {

wire::SignalError bad(std::string text) {
    return {wire::ErrorCode::badMessage, std::move(text)};
}

std::optional<std::uint32_t> pixels(const boost::json::value* value) {
    if (value == nullptr) return std::nullopt;
    if (value->is_int64() && value->get_int64() >= 0 && value->get_int64() <= kMaxSfuViewPixels)
        return static_cast<std::uint32_t>(value->get_int64());
    if (value->is_uint64() && value->get_uint64() <= kMaxSfuViewPixels)
        return static_cast<std::uint32_t>(value->get_uint64());
    return std::nullopt;
}

// Peer ids are ours (32 hex digits); anything else names nobody, and is refused before it is
// kept.
bool plausiblePeerId(std::string_view id) {
    return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               c == '-' || c == '_';
    });
}

}  // namespace

std::optional<wire::SignalError> decodeSfuView(const boost::json::object& envelope,
                                               std::vector<SfuViewEntry>& views) {
    const auto* list = envelope.if_contains("views");
    if (list == nullptr || !list->is_array()) return bad("views must be an array");
    const auto& array = list->get_array();
    if (array.size() > kMaxSfuViewEntries)
        return bad("views has more than " + std::to_string(kMaxSfuViewEntries) + " entries");
    views.clear();
    views.reserve(array.size());
    for (const auto& item : array) {
        if (!item.is_object()) return bad("each view must be an object");
        const auto& object = item.get_object();
        SfuViewEntry entry;
        const auto* peerId = object.if_contains("peerId");
        if (peerId == nullptr || !peerId->is_string() || !plausiblePeerId(peerId->get_string()))
            return bad("views[].peerId must be a peer id");
        entry.peerId.assign(peerId->get_string().begin(), peerId->get_string().end());
        const auto* source = object.if_contains("source");
        if (source == nullptr || !source->is_string() ||
            (source->get_string() != "camera" && source->get_string() != "screen"))
            return bad("views[].source must be \"camera\" or \"screen\"");
        entry.source.assign(source->get_string().begin(), source->get_string().end());
        const auto width = pixels(object.if_contains("width"));
        const auto height = pixels(object.if_contains("height"));
        if (!width || !height)
            return bad("views[].width and height must be integers 0.." +
                       std::to_string(kMaxSfuViewPixels));
        entry.width = *width;
        entry.height = *height;
        if (const auto* pinned = object.if_contains("pinned"); pinned && !pinned->is_null()) {
            if (!pinned->is_bool()) return bad("views[].pinned must be a boolean");
            entry.pinned = pinned->get_bool();
        }
        views.push_back(std::move(entry));
    }
    return std::nullopt;
}

std::vector<MediaView> mediaViews(const std::vector<SfuViewEntry>& views) {
    std::vector<MediaView> out;
    out.reserve(views.size());
    for (const auto& view : views)
        out.push_back({view.peerId, view.source, view.width, view.height, view.pinned});
    return out;
}

std::string encodeSfuViews(const std::vector<SfuViewEntry>& views) {
    boost::json::array out;
    for (const auto& view : views) {
        boost::json::object entry{{"peerId", view.peerId},
                                  {"source", view.source},
                                  {"width", view.width},
                                  {"height", view.height}};
        if (view.pinned) entry["pinned"] = true;
        out.emplace_back(std::move(entry));
    }
    return boost::json::serialize(boost::json::object{{"views", std::move(out)}});
}

std::vector<SfuViewEntry> decodeSfuViews(std::string_view payload) {
    std::vector<SfuViewEntry> views;
    boost::system::error_code error;
    const boost::json::value value = boost::json::parse(payload, error);
    if (error || !value.is_object() || decodeSfuView(value.get_object(), views)) return {};
    return views;
}

}  // namespace pulsemeet::signaling
