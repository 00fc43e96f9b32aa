#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <cctype>
#include <cstdint>
#include <map>
#include <string>

#include "ServerProcess.hpp"

namespace pulsemeet::testing {

// One request over a connected stream, plain or TLS: the part httpGet, httpsGet and tests that
// need another method share. Header names in the result are lower-cased.
template <class Stream>
HttpResult exchange(Stream& stream, std::uint16_t port, boost::beast::http::verb method,
                    const std::string& target,
                    const std::map<std::string, std::string>& headers = {}) {
    namespace http = boost::beast::http;
    http::request<http::string_body> request{method, target, 11};
    request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    for (const auto& [name, value] : headers) request.set(name, value);
    http::write(stream, request);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    HttpResult result;
    result.status = static_cast<int>(response.result_int());
    for (const auto& field : response) {
        std::string name(field.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        result.headers[name] = std::string(field.value());
    }
    result.body = response.body();
    return result;
}

template <class Stream>
HttpResult exchangeGet(Stream& stream, std::uint16_t port, const std::string& target,
                       const std::map<std::string, std::string>& headers = {}) {
    return exchange(stream, port, boost::beast::http::verb::get, target, headers);
}

}  // namespace pulsemeet::testing
