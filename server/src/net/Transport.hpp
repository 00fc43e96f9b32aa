#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <type_traits>

namespace pulsemeet::net {

// The two byte streams a connection can run over. Sessions are templates over these, so a
// plain-HTTP server pays nothing for TLS support.
using PlainStream = boost::beast::tcp_stream;
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

template <typename Stream>
inline constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

// What a WebSocket runs over once upgraded. Plain connections drop beast::tcp_stream's timeout
// machinery (every read and write went through its timer bookkeeping; the WebSocket keeps its
// own timers) and run on the bare socket. TLS keeps its stream: the TLS layer is built on it.
template <typename Stream>
using UpgradedStream = std::conditional_t<kIsTls<Stream>, Stream, boost::asio::ip::tcp::socket>;

}  // namespace pulsemeet::net
