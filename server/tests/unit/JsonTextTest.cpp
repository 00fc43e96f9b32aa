#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

#include <string>

#include "obs/JsonText.hpp"

using pulsemeet::obs::appendJsonString;

namespace {

std::string asJson(std::string_view text) {
    std::string out;
    appendJsonString(out, text);
    return out;
}

}  // namespace

TEST(JsonText, EscapesQuotesBackslashesAndControlCharacters) {
    EXPECT_EQ(asJson(""), R"("")");
    EXPECT_EQ(asJson("plain"), R"("plain")");
    EXPECT_EQ(asJson("a\"b\\c\nd\re\tf"), R"("a\"b\\c\nd\re\tf")");
    EXPECT_EQ(asJson(std::string("\x01\x1f", 2)), R"("\u0001\u001f")");
    EXPECT_EQ(asJson(std::string("\0", 1)), R"("\u0000")");
    EXPECT_EQ(asJson("caf\xc3\xa9 \x7f ~"), "\"caf\xc3\xa9 \x7f ~\"") << "UTF-8 and DEL pass as is";
}

TEST(JsonText, EveryCharacterAtEveryPlaceInAWordRoundTrips) {
    // The scan tests eight bytes at a time: put each byte value at each offset of strings of
    // several lengths, next to bytes that must not be mistaken for it (0x20, 0x21, 0x5b, 0x7e).
    for (int value = 0; value < 256; ++value) {
        for (std::size_t length = 1; length <= 19; ++length) {
            for (std::size_t at = 0; at < length; ++at) {
                std::string text(length, ' ');
                for (std::size_t i = 0; i < length; ++i) text[i] = " ![~"[i % 4];
                text[at] = static_cast<char>(value);
                const std::string json = asJson(text);
                for (const char c : json) {
                    ASSERT_GE(static_cast<unsigned char>(c), 0x20)
                        << "raw control character left in for byte " << value << " at " << at;
                }
                if (value >= 0x80) continue;  // alone, not valid UTF-8: the parser would refuse
                boost::system::error_code ec;
                const boost::json::value parsed = boost::json::parse(json, ec);
                ASSERT_FALSE(ec) << json;
                ASSERT_EQ(std::string(parsed.as_string()), text)
                    << "byte " << value << " at " << at << " of " << length;
            }
        }
    }
}
