#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "signaling/ClientMessage.hpp"
#include "signaling/DisplayName.hpp"
#include "wire/ServerMessages.hpp"

using namespace pulsemeet::signaling;
using namespace pulsemeet::wire;

namespace {

ErrorCode codeOf(const std::string& text) {
    const auto result = decodeClientMessage(text);
    EXPECT_TRUE(std::holds_alternative<SignalError>(result)) << text;
    return std::holds_alternative<SignalError>(result) ? std::get<SignalError>(result).code
                                                       : ErrorCode::badMessage;
}

ClientMessage ok(const std::string& text) {
    auto result = decodeClientMessage(text);
    if (auto* error = std::get_if<SignalError>(&result)) {
        ADD_FAILURE() << text << " -> " << toString(error->code) << ": " << error->text;
        return {};
    }
    return std::get<ClientMessage>(result);
}

}  // namespace

TEST(Codec, EveryErrorCodeHasItsName) {
    EXPECT_EQ(toString(ErrorCode::badJson), "bad-json");
    EXPECT_EQ(toString(ErrorCode::messageTooLarge), "message-too-large");
    EXPECT_EQ(toString(ErrorCode::forbiddenRoom), "forbidden-room");
    EXPECT_EQ(toString(ErrorCode::peerUnreachable), "peer-unreachable");
    EXPECT_EQ(toString(ErrorCode::mediaUnavailable), "media-unavailable");
    EXPECT_EQ(toString(MessageType::iceCandidate), "ice-candidate");
    EXPECT_FALSE(clientMessageType("room-joined").has_value());
}

TEST(Codec, Join) {
    const auto join = ok(R"({"type":"join","roomId":"Team_room-1","data":{"name":"  Ada  "}})");
    EXPECT_EQ(join.type, MessageType::join);
    EXPECT_EQ(join.roomId, "Team_room-1");
    EXPECT_EQ(join.name, "Ada");
    EXPECT_EQ(ok(R"({"type":"join","roomId":"abc"})").name, "");
    EXPECT_EQ(ok(R"({"type":"join","roomId":"abc","data":{"resumeToken":"t"}})").resumeToken, "t");
    // 64 characters of multi-byte text are fine; 65 are not.
    std::string name;
    for (int i = 0; i < 64; ++i) name += "\xC3\xA9";
    EXPECT_EQ(ok(R"({"type":"join","roomId":"abc","data":{"name":")" + name + "\"}}").name, name);
    EXPECT_EQ(codeOf(R"({"type":"join","roomId":"abc","data":{"name":")" + name + "x\"}}"),
              ErrorCode::invalidName);
    EXPECT_EQ(codeOf(R"({"type":"join","roomId":"abc","data":{"name":5}})"),
              ErrorCode::invalidName);
    EXPECT_EQ(codeOf(R"({"type":"join"})"), ErrorCode::invalidRoomId);
    EXPECT_EQ(codeOf(R"({"type":"join","roomId":"ab"})"), ErrorCode::invalidRoomId);
    EXPECT_EQ(codeOf(R"({"type":"join","roomId":")" + std::string(65, 'a') + "\"}"),
              ErrorCode::invalidRoomId);
    EXPECT_EQ(codeOf(R"({"type":"join","roomId":"../etc"})"), ErrorCode::invalidRoomId);
    EXPECT_EQ(codeOf(R"({"type":"join","roomId":"abc","data":[]})"), ErrorCode::badMessage);
}

TEST(Codec, ReceivedCountsOnJoinAndPing) {
    EXPECT_FALSE(ok(R"({"type":"join","roomId":"abc"})").received.has_value());
    EXPECT_EQ(ok(R"({"type":"join","roomId":"abc","data":{"received":0}})").received, 0u);
    EXPECT_EQ(ok(R"({"type":"join","roomId":"abc","data":{"received":42}})").received, 42u);
    EXPECT_EQ(ok(R"({"type":"ping","data":{"received":7}})").received, 7u);
    EXPECT_FALSE(ok(R"({"type":"ping"})").received.has_value());
    for (const char* bad : {"-1", "1.5", "\"3\"", "true", "{}"}) {
        EXPECT_EQ(codeOf(std::string(R"({"type":"ping","data":{"received":)") + bad + "}}"),
                  ErrorCode::badMessage)
            << bad;
        EXPECT_EQ(codeOf(std::string(R"({"type":"join","roomId":"abc","data":{"received":)") + bad +
                         "}}"),
                  ErrorCode::badMessage)
            << bad;
    }
}

TEST(Codec, OfferAnswerAndCandidates) {
    const auto offer =
        ok(R"({"type":"offer","targetId":"p1","data":{"type":"offer","sdp":"v=0\r\n","x":1}})");
    EXPECT_EQ(offer.targetId, "p1");
    EXPECT_EQ(offer.dataJson, R"({"type":"offer","sdp":"v=0\r\n"})") << "unknown fields dropped";
    EXPECT_EQ(codeOf(R"({"type":"answer","targetId":"p1","data":{"type":"offer","sdp":"v=0"}})"),
              ErrorCode::invalidSdp);
    EXPECT_EQ(codeOf(R"({"type":"answer","targetId":"p1","data":{"type":"answer","sdp":""}})"),
              ErrorCode::invalidSdp);
    EXPECT_EQ(codeOf(R"({"type":"answer","targetId":"p1"})"), ErrorCode::invalidSdp);
    EXPECT_EQ(codeOf(R"({"type":"answer","data":{"type":"answer","sdp":"v=0"}})"),
              ErrorCode::badMessage);
    EXPECT_EQ(codeOf(R"({"type":"answer","targetId":7,"data":{"type":"answer","sdp":"v=0"}})"),
              ErrorCode::badMessage);

    const auto candidate = ok(
        R"({"type":"ice-candidate","targetId":"p1","data":{"candidate":"candidate:1 1 udp 1 1.2.3.4 5 typ host","sdpMid":"0","sdpMLineIndex":0}})");
    const auto parsed = boost::json::parse(candidate.dataJson).as_object();
    EXPECT_EQ(parsed.at("sdpMid").as_string(), "0");
    EXPECT_EQ(parsed.at("sdpMLineIndex").as_int64(), 0);
    ok(R"({"type":"ice-candidate","targetId":"p1","data":{"candidate":"","sdpMid":null}})");
    EXPECT_EQ(codeOf(R"({"type":"ice-candidate","targetId":"p1","data":{"candidate":"hello"}})"),
              ErrorCode::invalidCandidate);
    EXPECT_EQ(codeOf(R"({"type":"ice-candidate","targetId":"p1","data":{}})"),
              ErrorCode::invalidCandidate);
    EXPECT_EQ(
        codeOf(
            R"({"type":"ice-candidate","targetId":"p1","data":{"candidate":"","sdpMLineIndex":-1}})"),
        ErrorCode::invalidCandidate);
    EXPECT_EQ(
        codeOf(R"({"type":"ice-candidate","targetId":"p1","data":{"candidate":"","sdpMid":3}})"),
        ErrorCode::invalidCandidate);
}

TEST(Codec, MediaState) {
    const auto state = ok(
        R"({"type":"media-state","data":{"audio":false,"video":true,"screen":false,"hand":true}})");
    EXPECT_EQ(state.dataJson, R"({"audio":false,"video":true,"screen":false,"hand":true})");
    EXPECT_EQ(codeOf(R"({"type":"media-state","data":{"audio":false,"video":true}})"),
              ErrorCode::badMessage);
    EXPECT_EQ(
        codeOf(
            R"({"type":"media-state","data":{"audio":false,"video":true,"screen":false,"x":"y"}})"),
        ErrorCode::badMessage);
}

TEST(Codec, EnvelopeErrors) {
    EXPECT_EQ(codeOf(""), ErrorCode::badJson);
    EXPECT_EQ(codeOf("null"), ErrorCode::badJson);
    EXPECT_EQ(codeOf(R"({"type":"ping",})"), ErrorCode::badJson);
    EXPECT_EQ(codeOf(std::string(10000, '[') + std::string(10000, ']')), ErrorCode::badJson);
    EXPECT_EQ(codeOf(R"({"type":1})"), ErrorCode::badMessage);
    EXPECT_EQ(codeOf(R"({"type":"pong"})"), ErrorCode::unknownType);
    EXPECT_EQ(ok(R"({"type":"ping","peerId":"spoofed"})").type, MessageType::ping);
    EXPECT_EQ(ok(R"({"type":"leave"})").type, MessageType::leave);
}

TEST(Codec, AnUnknownTypeIsEchoedShortenedWithoutSplittingACharacter) {
    // Found by codec_fuzzer: the echo was cut at 32 bytes, inside a two-byte character, and the
    // error reply was no longer UTF-8 (a browser fails the WebSocket on such a text frame).
    for (std::size_t pad = 28; pad <= 34; ++pad) {
        const std::string type = std::string(pad, 'x') + "\xd5\x8d\xe2\x82\xac\xf0\x9f\x8e\xa7";
        const auto result = decodeClientMessage(R"({"type":")" + type + R"("})");
        ASSERT_TRUE(std::holds_alternative<SignalError>(result));
        const auto& error = std::get<SignalError>(result);
        EXPECT_EQ(error.code, ErrorCode::unknownType);
        boost::system::error_code ec;
        boost::json::parse(encodeError(error), ec);
        EXPECT_FALSE(ec) << "pad " << pad << ": " << error.text;
        const auto echoed = error.text.substr(error.text.find('"') + 1);
        EXPECT_LE(echoed.size(), 32u + 1) << "at most 32 bytes of the type, then the quote";
        EXPECT_EQ(type.rfind(echoed.substr(0, echoed.size() - 1), 0), 0u) << "a prefix of it";
    }
}

TEST(Codec, EncodersStampTimestampsAndEscape) {
    const auto joined =
        boost::json::parse(
            encodeRoomJoined("room", "me", {{"p1", "A \"quoted\"", std::string(kDefaultMediaJson)}},
                             "tok", R"([{"urls":["stun:x"]}])"))
            .as_object();
    EXPECT_EQ(joined.at("type").as_string(), "room-joined");
    EXPECT_EQ(joined.at("peerId").as_string(), "me");
    const auto& data = joined.at("data").as_object();
    EXPECT_EQ(data.at("peers").as_array()[0].as_object().at("name").as_string(), "A \"quoted\"");
    EXPECT_EQ(data.at("resumeToken").as_string(), "tok");
    EXPECT_EQ(data.at("iceServers").as_array().size(), 1u);
    EXPECT_GT(joined.at("timestamp").as_int64(), 1700000000000);

    const auto relay = boost::json::parse(encodeRelay(MessageType::answer, "room", "from", "to",
                                                      R"({"type":"answer","sdp":"v=0"})"))
                           .as_object();
    EXPECT_EQ(relay.at("peerId").as_string(), "from");
    EXPECT_EQ(relay.at("targetId").as_string(), "to");
    const auto error = boost::json::parse(encodeError({ErrorCode::roomFull, "full"})).as_object();
    EXPECT_EQ(error.at("code").as_string(), "room-full");
    EXPECT_EQ(error.at("error").as_string(), "full");
    EXPECT_FALSE(boost::json::parse(encodePong()).as_object().contains("peerId"));
}

namespace {
// A join whose name is `name` as raw UTF-8 (the JSON escapes only quote and backslash-free text).
std::string joinNamed(const std::string& name) {
    return R"({"type":"join","roomId":"abc","data":{"name":")" + name + "\"}}";
}
}  // namespace

// Names lose control characters (C0, DEL, C1) and bidi embeddings/overrides/isolates, then are
// trimmed, then held to 64 characters; a name with nothing left is no name.
TEST(Codec, JoinNamesLoseControlAndBidiCharacters) {
    // Sent as JSON escapes, which the parser turns into the code points.
    EXPECT_EQ(ok(R"({"type":"join","roomId":"abc","data":{"name":"a\u0007b\u0000c\t\nd"}})").name,
              "abcd");
    // Raw UTF-8: U+0085 (C2 85), U+009F (C2 9F), DEL, U+202E RLO (E2 80 AE), U+2066 LRI
    // (E2 81 A6), U+2069 PDI (E2 81 A9), U+202A LRE (E2 80 AA), U+2028 (E2 80 A8).
    EXPECT_EQ(ok(joinNamed("Al\xC2\x85i\xC2\x9F\x7F"
                           "ce"))
                  .name,
              "Alice");
    EXPECT_EQ(ok(joinNamed("Alice\xE2\x80\xAEgnp.exe")).name, "Alicegnp.exe");
    EXPECT_EQ(ok(joinNamed("\xE2\x81\xA6"
                           "Bob\xE2\x81\xA9\xE2\x80\xAA\xE2\x80\xA8"))
                  .name,
              "Bob");
    // Stripped first, trimmed after: spaces the stripped characters hid are trimmed too.
    EXPECT_EQ(ok(joinNamed(" \xE2\x80\xAE  Eve \xC2\x85 ")).name, "Eve");
    // Nothing left: no name (not an error).
    EXPECT_EQ(ok(joinNamed("\xE2\x80\xAE\xC2\x85 \xE2\x81\xA7")).name, "");
    // The limit counts what is left: 64 letters among overrides pass, 65 do not.
    std::string padded;
    for (int i = 0; i < 64; ++i) padded += "x\xE2\x80\xAE";
    EXPECT_EQ(ok(joinNamed(padded)).name, std::string(64, 'x'));
    EXPECT_EQ(codeOf(joinNamed(padded + "y")), ErrorCode::invalidName);
    // What is not a control or bidi character stays: accents, CJK, emoji, U+00A0, U+200D (ZWJ).
    const std::string kept = "\xC3\xA9\xE5\xA5\xBD\xF0\x9F\x98\x80\xC2\xA0x\xE2\x80\x8D";
    EXPECT_EQ(sanitizeDisplayName(kept), kept);
    EXPECT_EQ(sanitizeDisplayName("\xC2\xA0"
                                  "a"),
              "\xC2\xA0"
              "a")
        << "only ASCII spaces are trimmed";
}

TEST(Codec, JoinSaysWhetherTheClientCanUseTheMediaServer) {
    EXPECT_FALSE(ok(R"({"type":"join","roomId":"room"})").sfuCapable);
    EXPECT_TRUE(ok(R"({"type":"join","roomId":"room","data":{"sfu":true}})").sfuCapable);
    EXPECT_FALSE(ok(R"({"type":"join","roomId":"room","data":{"sfu":false}})").sfuCapable);
    EXPECT_EQ(codeOf(R"({"type":"join","roomId":"room","data":{"sfu":"yes"}})"),
              ErrorCode::badMessage);
}

TEST(Codec, SfuOfferAndLeave) {
    const auto offer = ok(R"({"type":"sfu-offer","sdp":"v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\n"})");
    EXPECT_EQ(offer.type, MessageType::sfuOffer);
    EXPECT_EQ(offer.sdp, "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\n");
    EXPECT_EQ(codeOf(R"({"type":"sfu-offer"})"), ErrorCode::invalidSdp);
    EXPECT_EQ(codeOf(R"({"type":"sfu-offer","sdp":"hello"})"), ErrorCode::invalidSdp);
    EXPECT_EQ(codeOf(R"({"type":"sfu-offer","sdp":{"sdp":"v=0"}})"), ErrorCode::invalidSdp);
    EXPECT_EQ(ok(R"({"type":"sfu-leave"})").type, MessageType::sfuLeave);
    // Server-only types are refused from clients.
    for (const char* type : {"room-mode", "sfu-answer", "sfu-tracks", "sfu-closed"}) {
        EXPECT_EQ(codeOf(std::string(R"({"type":")") + type + "\"}"), ErrorCode::unknownType);
    }
}

TEST(Codec, PreviewNeedsAValidRoomIdAndItsAnswerIsServerOnly) {
    const auto preview = ok(R"({"type":"preview","roomId":"abc-123"})");
    EXPECT_EQ(preview.type, MessageType::preview);
    EXPECT_EQ(preview.roomId, "abc-123");
    EXPECT_EQ(codeOf(R"({"type":"preview"})"), ErrorCode::invalidRoomId);
    EXPECT_EQ(codeOf(R"({"type":"preview","roomId":"a b"})"), ErrorCode::invalidRoomId);
    EXPECT_EQ(codeOf(R"({"type":"room-preview","roomId":"abc-123"})"), ErrorCode::unknownType);
}

TEST(Codec, ChatIsTrimmedBoundedAndFreeOfControlCharacters) {
    EXPECT_EQ(ok(R"({"type":"chat","text":"  hi there \t"})").text, "hi there");
    EXPECT_EQ(codeOf(R"({"type":"chat"})"), ErrorCode::badMessage);
    EXPECT_EQ(codeOf(R"({"type":"chat","text":5})"), ErrorCode::badMessage);
    EXPECT_EQ(codeOf(R"({"type":"chat","text":" \n "})"), ErrorCode::badMessage) << "empty";
    EXPECT_EQ(codeOf(R"({"type":"chat","text":"a\nb"})"), ErrorCode::badMessage);
    EXPECT_EQ(codeOf(R"({"type":"chat","text":"\u001b[2Jcleared"})"), ErrorCode::badMessage);
    EXPECT_EQ(codeOf(R"({"type":"chat","text":"x\u007f"})"), ErrorCode::badMessage);
    EXPECT_EQ(codeOf(R"({"type":"chat","text":"next\u0085line"})"), ErrorCode::badMessage);
    // 2000 characters, counted as characters, not bytes; one more is refused.
    std::string euros;
    for (int i = 0; i < 2000; ++i) euros += "\xE2\x82\xAC";
    EXPECT_EQ(ok(R"({"type":"chat","text":")" + euros + "\"}").text, euros);
    EXPECT_EQ(codeOf(R"({"type":"chat","text":")" + euros + "a\"}"), ErrorCode::badMessage);
    // Characters after U+009F that start with the C2 byte are not controls.
    EXPECT_EQ(ok(R"({"type":"chat","text":"\u00a0\u00e9"})").text, "\xC2\xA0\xC3\xA9");
}

TEST(Codec, MediaServerEncoders) {
    auto answer = boost::json::parse(encodeSfuAnswer("v=0\r\n", {{"peer-a", "camera", "1"},
                                                                 {"peer-b", "microphone", "2"}}))
                      .as_object();
    EXPECT_EQ(answer["type"].as_string(), "sfu-answer");
    EXPECT_EQ(answer["sdp"].as_string(), "v=0\r\n");
    const auto& tracks = answer["tracks"].as_array();
    ASSERT_EQ(tracks.size(), 2u);
    EXPECT_EQ(tracks[0].as_object().at("mid").as_string(), "1");
    EXPECT_EQ(tracks[0].as_object().at("peerId").as_string(), "peer-a");
    EXPECT_EQ(tracks[1].as_object().at("source").as_string(), "microphone");
    auto available = boost::json::parse(encodeSfuTracks({{"peer-a", "screen", ""}})).as_object();
    EXPECT_FALSE(available["tracks"].as_array()[0].as_object().contains("mid"));
    EXPECT_EQ(boost::json::parse(encodeSfuTracks({})).as_object()["tracks"].as_array().size(), 0u);
    auto closed = boost::json::parse(encodeSfuClosed("consent \"lost\"")).as_object();
    EXPECT_EQ(closed["reason"].as_string(), "consent \"lost\"");
    auto mode = boost::json::parse(encodeRoomMode("room", "sfu")).as_object();
    EXPECT_EQ(mode["mode"].as_string(), "sfu");
    auto chat = boost::json::parse(encodeChat("room", "peer-a", "\"quoted\"")).as_object();
    EXPECT_EQ(chat["from"].as_string(), "peer-a");
    EXPECT_EQ(chat["text"].as_string(), "\"quoted\"");
    auto joined =
        boost::json::parse(encodeRoomJoined("room", "me", {}, "t", "[]", "all", "", "sfu"))
            .as_object();
    EXPECT_EQ(joined["data"].as_object()["mode"].as_string(), "sfu");
}
