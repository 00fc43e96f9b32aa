#include "media/SdpOffer.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace pulsemeet::media {

namespace {

constexpr std::uint32_t kMaxPayloadType = 127;
constexpr int kMaxOneByteExtmapId = 14;   // RFC 8285 §4.2: 15 is reserved
constexpr int kMaxTwoByteExtmapId = 255;  // RFC 8285 §4.3

SdpError error(SdpErrorCode code, std::string message) {
    return {code, std::move(message)};
}

template <typename Integer>
std::optional<Integer> parseNumber(std::string_view text, Integer max) {
    Integer value{};
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc{} || ptr != end || value > max) return std::nullopt;
    return value;
}

// The text before the first `separator` and the rest after it (empty when absent).
std::pair<std::string_view, std::string_view> splitOnce(std::string_view text, char separator) {
    const auto at = text.find(separator);
    if (at == std::string_view::npos) return {text, {}};
    return {text.substr(0, at), text.substr(at + 1)};
}

std::vector<std::string_view> splitAll(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    while (!text.empty()) {
        auto [head, tail] = splitOnce(text, separator);
        if (!head.empty()) parts.push_back(head);
        if (tail.data() == nullptr || head.size() == text.size()) break;
        text = tail;
    }
    return parts;
}

std::string upper(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    });
    return out;
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
    return out;
}

// What a media section collects before its codecs are assembled: fmtp and rtcp-fb lines may
// come in any order relative to their a=rtpmap.
struct PendingSection {
    SdpMediaSection section;
    bool hasIceUfrag = false;
    bool hasIcePwd = false;
    std::vector<std::pair<std::uint8_t, std::string>> fmtps;
    std::vector<std::pair<std::optional<std::uint8_t>, std::string>> feedback;  // nullopt: "*"
};

struct SessionLevel {
    std::string iceUfrag;
    std::string icePwd;
    std::optional<SdpFingerprint> fingerprint;
    std::string setup;
    bool extmapAllowMixed = false;
};

class Parser {
  public:
    explicit Parser(const SdpLimits& limits) : limits_(limits) {}

    std::optional<SdpError> line(std::size_t number, std::string_view text) {
        if (text.size() < 2 || text[1] != '=') {
            return error(SdpErrorCode::malformed,
                         "line " + std::to_string(number) + ": not <type>=<value>");
        }
        const char type = text[0];
        const auto value = text.substr(2);
        if (type == 'm') return mediaLine(number, value);
        if (type != 'a') return std::nullopt;
        const auto [name, rest] = splitOnce(value, ':');
        auto result = current_ ? mediaAttribute(name, rest) : sessionAttribute(name, rest);
        if (result) result->message = "line " + std::to_string(number) + ": " + result->message;
        return result;
    }

    std::variant<SdpOffer, SdpError> finish() {
        if (auto failure = closeSection()) return *std::move(failure);
        return std::move(offer_);
    }

  private:
    std::optional<SdpError> mediaLine(std::size_t number, std::string_view value) {
        if (auto failure = closeSection()) return failure;
        if (offer_.media.size() >= limits_.maxMediaSections) {
            return error(
                SdpErrorCode::tooManyMediaSections,
                "more than " + std::to_string(limits_.maxMediaSections) + " media sections");
        }
        const auto fields = splitAll(value, ' ');
        const auto where = "line " + std::to_string(number) + ": ";
        if (fields.size() < 3) return error(SdpErrorCode::malformed, where + "short m-line");
        PendingSection pending;
        pending.section.kind = std::string(fields[0]);
        const auto port = parseNumber<std::uint16_t>(splitOnce(fields[1], '/').first, 65535);
        if (!port) return error(SdpErrorCode::malformed, where + "bad port");
        pending.section.port = *port;
        pending.section.protocol = std::string(fields[2]);
        if (fields.size() - 3 > limits_.maxCodecsPerSection) {
            return error(
                SdpErrorCode::tooManyCodecs,
                where + "more than " + std::to_string(limits_.maxCodecsPerSection) + " formats");
        }
        for (std::size_t i = 3; i < fields.size(); ++i) {
            pending.section.formats.emplace_back(fields[i]);
        }
        current_ = std::move(pending);
        return std::nullopt;
    }

    std::optional<SdpError> sessionAttribute(std::string_view name, std::string_view value) {
        if (name == "group") {
            const auto fields = splitAll(value, ' ');
            if (!fields.empty() && fields[0] == "BUNDLE") {
                if (fields.size() - 1 > limits_.maxMediaSections) {
                    return error(SdpErrorCode::tooManyMediaSections, "BUNDLE group too large");
                }
                for (std::size_t i = 1; i < fields.size(); ++i) {
                    offer_.bundleMids.emplace_back(fields[i]);
                }
            }
        } else if (name == "ice-ufrag") {
            session_.iceUfrag = std::string(value);
        } else if (name == "ice-pwd") {
            session_.icePwd = std::string(value);
        } else if (name == "fingerprint") {
            auto fingerprint = parseFingerprint(value);
            if (!fingerprint) return error(SdpErrorCode::malformed, "bad a=fingerprint");
            session_.fingerprint = std::move(fingerprint);
        } else if (name == "setup") {
            session_.setup = std::string(value);
        } else if (name == "extmap-allow-mixed") {
            session_.extmapAllowMixed = true;
        }
        return std::nullopt;
    }

    std::optional<SdpError> mediaAttribute(std::string_view name, std::string_view value) {
        auto& pending = *current_;
        auto& section = pending.section;
        if (name == "mid") {
            // RFC 8843 carries the mid in a one-byte header extension: at most 16 bytes.
            constexpr std::size_t kMaxMidLength = 16;
            if (value.empty() || value.size() > kMaxMidLength ||
                value.find(' ') != std::string_view::npos) {
                return error(SdpErrorCode::malformed, "bad a=mid");
            }
            section.mid = std::string(value);
        } else if (name == "sendrecv") {
            section.direction = SdpDirection::sendrecv;
        } else if (name == "sendonly") {
            section.direction = SdpDirection::sendonly;
        } else if (name == "recvonly") {
            section.direction = SdpDirection::recvonly;
        } else if (name == "inactive") {
            section.direction = SdpDirection::inactive;
        } else if (name == "ice-ufrag") {
            section.iceUfrag = std::string(value);
            pending.hasIceUfrag = true;
        } else if (name == "ice-pwd") {
            section.icePwd = std::string(value);
            pending.hasIcePwd = true;
        } else if (name == "fingerprint") {
            section.fingerprint = parseFingerprint(value);
            if (!section.fingerprint) return error(SdpErrorCode::malformed, "bad a=fingerprint");
        } else if (name == "setup") {
            section.setup = std::string(value);
        } else if (name == "rtcp-mux") {
            section.rtcpMux = true;
        } else if (name == "rtcp-rsize") {
            section.rtcpRsize = true;
        } else if (name == "extmap-allow-mixed") {
            section.extmapAllowMixed = true;
        } else if (name == "rtpmap") {
            return rtpmap(section, value);
        } else if (name == "fmtp") {
            const auto [pt, parameters] = splitOnce(value, ' ');
            const auto payloadType = parseNumber<std::uint32_t>(pt, kMaxPayloadType);
            if (!payloadType) return error(SdpErrorCode::malformed, "bad a=fmtp payload type");
            if (pending.fmtps.size() >= limits_.maxCodecsPerSection) {
                return error(SdpErrorCode::tooManyCodecs, "too many a=fmtp");
            }
            pending.fmtps.emplace_back(static_cast<std::uint8_t>(*payloadType),
                                       std::string(parameters));
        } else if (name == "rtcp-fb") {
            const auto [pt, type] = splitOnce(value, ' ');
            if (type.empty()) return error(SdpErrorCode::malformed, "a=rtcp-fb without type");
            std::optional<std::uint8_t> payloadType;
            if (pt != "*") {
                const auto number = parseNumber<std::uint32_t>(pt, kMaxPayloadType);
                if (!number) return error(SdpErrorCode::malformed, "bad a=rtcp-fb payload type");
                payloadType = static_cast<std::uint8_t>(*number);
            }
            if (pending.feedback.size() >=
                limits_.maxCodecsPerSection * limits_.maxFeedbackPerCodec) {
                return error(SdpErrorCode::tooManyAttributes, "too many a=rtcp-fb");
            }
            pending.feedback.emplace_back(payloadType, std::string(type));
        } else if (name == "extmap") {
            return extmap(section, value);
        } else if (name == "ssrc") {
            return ssrc(section, value);
        } else if (name == "ssrc-group") {
            const auto fields = splitAll(value, ' ');
            if (fields.empty()) return error(SdpErrorCode::malformed, "empty a=ssrc-group");
            if (fields[0] != "FID") return std::nullopt;
            if (fields.size() != 3) return error(SdpErrorCode::malformed, "FID needs two ssrcs");
            const auto media = parseNumber<std::uint32_t>(fields[1], UINT32_MAX);
            const auto rtx = parseNumber<std::uint32_t>(fields[2], UINT32_MAX);
            if (!media || !rtx) return error(SdpErrorCode::malformed, "bad ssrc in FID group");
            if (section.fidGroups.size() >= limits_.maxSsrcsPerSection) {
                return error(SdpErrorCode::tooManyAttributes, "too many a=ssrc-group");
            }
            section.fidGroups.emplace_back(*media, *rtx);
        } else if (name == "msid") {
            const auto fields = splitAll(value, ' ');
            if (fields.empty() || fields.size() > 2) {
                return error(SdpErrorCode::malformed, "bad a=msid");
            }
            section.msidStream = std::string(fields[0]);
            section.msidTrack = fields.size() == 2 ? std::string(fields[1]) : std::string();
        } else if (name == "rid") {
            const auto fields = splitAll(value, ' ');
            if (fields.size() < 2 || (fields[1] != "send" && fields[1] != "recv") ||
                !validRid(fields[0])) {
                return error(SdpErrorCode::malformed, "bad a=rid");
            }
            if (section.rids.size() >= limits_.maxRidsPerSection) {
                return error(SdpErrorCode::tooManyAttributes, "too many a=rid");
            }
            section.rids.push_back({std::string(fields[0]), fields[1] == "send"});
        } else if (name == "simulcast") {
            return simulcast(section, value);
        }
        return std::nullopt;
    }

    std::optional<SdpError> rtpmap(SdpMediaSection& section, std::string_view value) {
        const auto [pt, encoding] = splitOnce(value, ' ');
        const auto payloadType = parseNumber<std::uint32_t>(pt, kMaxPayloadType);
        const auto parts = splitAll(encoding, '/');
        if (!payloadType || parts.size() < 2 || parts.size() > 3) {
            return error(SdpErrorCode::malformed, "bad a=rtpmap");
        }
        SdpCodec codec;
        codec.payloadType = static_cast<std::uint8_t>(*payloadType);
        codec.name = std::string(parts[0]);
        const auto clockRate = parseNumber<std::uint32_t>(parts[1], 1'000'000);
        if (!clockRate) return error(SdpErrorCode::malformed, "bad a=rtpmap clock rate");
        codec.clockRate = *clockRate;
        if (parts.size() == 3) {
            const auto channels = parseNumber<std::uint32_t>(parts[2], 255);
            if (!channels) return error(SdpErrorCode::malformed, "bad a=rtpmap channels");
            codec.channels = *channels;
        }
        if (section.codec(codec.payloadType)) {
            return error(SdpErrorCode::malformed, "payload type mapped twice");
        }
        if (section.codecs.size() >= limits_.maxCodecsPerSection) {
            return error(SdpErrorCode::tooManyCodecs,
                         "more than " + std::to_string(limits_.maxCodecsPerSection) + " codecs");
        }
        section.codecs.push_back(std::move(codec));
        return std::nullopt;
    }

    std::optional<SdpError> extmap(SdpMediaSection& section, std::string_view value) {
        const auto [idAndDirection, rest] = splitOnce(value, ' ');
        const auto id = parseNumber<int>(splitOnce(idAndDirection, '/').first, kMaxTwoByteExtmapId);
        if (!id || *id < 1) {
            return error(SdpErrorCode::badExtmapId,
                         "extmap id outside 1.." + std::to_string(kMaxTwoByteExtmapId));
        }
        const auto uri = splitOnce(rest, ' ').first;
        if (uri.empty()) return error(SdpErrorCode::malformed, "a=extmap without uri");
        for (const auto& known : section.extmaps) {
            if (known.id == *id) return error(SdpErrorCode::badExtmapId, "extmap id used twice");
        }
        if (section.extmaps.size() >= limits_.maxExtmapsPerSection) {
            return error(SdpErrorCode::tooManyAttributes, "too many a=extmap");
        }
        section.extmaps.push_back({*id, std::string(uri)});
        return std::nullopt;
    }

    std::optional<SdpError> ssrc(SdpMediaSection& section, std::string_view value) {
        const auto [number, attribute] = splitOnce(value, ' ');
        const auto id = parseNumber<std::uint32_t>(number, UINT32_MAX);
        if (!id || attribute.empty()) return error(SdpErrorCode::malformed, "bad a=ssrc");
        auto known = std::find_if(section.ssrcs.begin(), section.ssrcs.end(),
                                  [&](const SdpSsrc& s) { return s.ssrc == *id; });
        if (known == section.ssrcs.end()) {
            if (section.ssrcs.size() >= limits_.maxSsrcsPerSection) {
                return error(SdpErrorCode::tooManyAttributes, "too many a=ssrc");
            }
            section.ssrcs.push_back({*id, {}});
            known = section.ssrcs.end() - 1;
        }
        const auto [key, attributeValue] = splitOnce(attribute, ':');
        if (key == "cname") known->cname = std::string(attributeValue);
        return std::nullopt;
    }

    // a=simulcast:send q;h;f [recv ...]; alternatives (",") and paused streams ("~") are read as
    // plain rids: we receive every layer the client sends.
    std::optional<SdpError> simulcast(SdpMediaSection& section, std::string_view value) {
        const auto fields = splitAll(value, ' ');
        if (fields.size() % 2 != 0 || fields.empty()) {
            return error(SdpErrorCode::malformed, "bad a=simulcast");
        }
        for (std::size_t i = 0; i < fields.size(); i += 2) {
            if (fields[i] != "send" && fields[i] != "recv") {
                return error(SdpErrorCode::malformed, "a=simulcast direction not send/recv");
            }
            for (auto stream : splitAll(fields[i + 1], ';')) {
                for (auto rid : splitAll(stream, ',')) {
                    if (!rid.empty() && rid.front() == '~') rid.remove_prefix(1);
                    if (!validRid(rid)) return error(SdpErrorCode::malformed, "bad simulcast rid");
                    if (fields[i] != "send") continue;
                    if (section.simulcastSend.size() >= limits_.maxRidsPerSection) {
                        return error(SdpErrorCode::tooManyAttributes, "too many simulcast rids");
                    }
                    section.simulcastSend.emplace_back(rid);
                }
            }
        }
        return std::nullopt;
    }

    // RFC 8851: rid-id = 1*(alpha-numeric / "-" / "_"); we also cap the length.
    static bool validRid(std::string_view rid) {
        constexpr std::size_t kMaxRidLength = 16;
        if (rid.empty() || rid.size() > kMaxRidLength) return false;
        return std::all_of(rid.begin(), rid.end(), [](unsigned char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                   c == '-' || c == '_';
        });
    }

    static std::optional<SdpFingerprint> parseFingerprint(std::string_view value) {
        const auto [algorithm, digest] = splitOnce(value, ' ');
        if (algorithm.empty() || digest.empty()) return std::nullopt;
        // Hex pairs separated by colons: "AB:CD:...", at most SHA-512's 64 bytes.
        if (digest.size() % 3 != 2 || digest.size() > 64 * 3 - 1) return std::nullopt;
        for (std::size_t i = 0; i < digest.size(); ++i) {
            const unsigned char c = static_cast<unsigned char>(digest[i]);
            const bool ok = i % 3 == 2 ? c == ':' : std::isxdigit(c) != 0;
            if (!ok) return std::nullopt;
        }
        return SdpFingerprint{lower(algorithm), upper(digest)};
    }

    // Attaches fmtp and rtcp-fb to their codecs, inherits the session's transport attributes and
    // checks the extmap ids against the header form the offer allows.
    std::optional<SdpError> closeSection() {
        if (!current_) return std::nullopt;
        auto pending = std::move(*current_);
        current_.reset();
        auto& section = pending.section;
        const auto where = "media section " + std::to_string(offer_.media.size()) + ": ";
        for (auto& [payloadType, parameters] : pending.fmtps) {
            for (auto& codec : section.codecs) {
                if (codec.payloadType == payloadType) codec.fmtp = std::move(parameters);
            }
        }
        for (const auto& [payloadType, type] : pending.feedback) {
            for (auto& codec : section.codecs) {
                if (payloadType && codec.payloadType != *payloadType) continue;
                if (codec.feedback.size() >= limits_.maxFeedbackPerCodec) {
                    return error(SdpErrorCode::tooManyAttributes, where + "too many a=rtcp-fb");
                }
                codec.feedback.push_back(type);
            }
        }
        if (!pending.hasIceUfrag) section.iceUfrag = session_.iceUfrag;
        if (!pending.hasIcePwd) section.icePwd = session_.icePwd;
        if (!section.fingerprint) section.fingerprint = session_.fingerprint;
        if (section.setup.empty()) section.setup = session_.setup;
        section.extmapAllowMixed = section.extmapAllowMixed || session_.extmapAllowMixed;
        const int maxId = section.extmapAllowMixed ? kMaxTwoByteExtmapId : kMaxOneByteExtmapId;
        for (const auto& extmap : section.extmaps) {
            if (extmap.id > maxId) {
                return error(SdpErrorCode::badExtmapId, where + "extmap id " +
                                                            std::to_string(extmap.id) +
                                                            " outside 1.." + std::to_string(maxId));
            }
        }
        offer_.media.push_back(std::move(section));
        return std::nullopt;
    }

    const SdpLimits& limits_;
    SdpOffer offer_;
    SessionLevel session_;
    std::optional<PendingSection> current_;
};

}  // namespace

std::string_view toString(SdpDirection direction) {
    switch (direction) {
        case SdpDirection::sendrecv:
            return "sendrecv";
        case SdpDirection::sendonly:
            return "sendonly";
        case SdpDirection::recvonly:
            return "recvonly";
        case SdpDirection::inactive:
            return "inactive";
    }
    return "inactive";
}

std::optional<std::uint8_t> SdpCodec::repairedPayloadType() const {
    const auto apt = parseNumber<std::uint32_t>(fmtpParameter("apt"), kMaxPayloadType);
    if (!apt) return std::nullopt;
    return static_cast<std::uint8_t>(*apt);
}

std::string_view SdpCodec::fmtpParameter(std::string_view key) const {
    for (auto parameter : splitAll(fmtp, ';')) {
        while (!parameter.empty() && parameter.front() == ' ') parameter.remove_prefix(1);
        const auto [name, value] = splitOnce(parameter, '=');
        if (name == key) return value;
    }
    return {};
}

const SdpCodec* SdpMediaSection::codec(std::uint8_t payloadType) const {
    for (const auto& candidate : codecs) {
        if (candidate.payloadType == payloadType) return &candidate;
    }
    return nullptr;
}

std::variant<SdpOffer, SdpError> parseSdpOffer(std::string_view text, const SdpLimits& limits) {
    if (text.size() > limits.maxBytes) {
        return error(SdpErrorCode::tooLarge,
                     "offer larger than " + std::to_string(limits.maxBytes) + " bytes");
    }
    Parser parser(limits);
    std::size_t number = 0;
    while (!text.empty()) {
        auto [line, rest] = splitOnce(text, '\n');
        text = line.size() == text.size() ? std::string_view{} : rest;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (++number > limits.maxLines) {
            return error(SdpErrorCode::tooManyLines,
                         "more than " + std::to_string(limits.maxLines) + " lines");
        }
        if (line.size() > limits.maxLineLength) {
            return error(SdpErrorCode::lineTooLong,
                         "line " + std::to_string(number) + " longer than " +
                             std::to_string(limits.maxLineLength) + " bytes");
        }
        if (line.empty()) continue;
        // Nothing the answer echoes (mids, fmtp) may carry a stray CR or other control byte
        // into the answer's lines.
        const auto control = std::find_if(line.begin(), line.end(),
                                          [](unsigned char c) { return c < 0x20 || c == 0x7f; });
        if (control != line.end()) {
            return error(SdpErrorCode::malformed,
                         "line " + std::to_string(number) + ": control character");
        }
        if (auto failure = parser.line(number, line)) return *std::move(failure);
    }
    return parser.finish();
}

}  // namespace pulsemeet::media
