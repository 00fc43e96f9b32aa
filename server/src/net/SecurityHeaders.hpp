#pragma once

#include <boost/beast/http/fields.hpp>

namespace pulsemeet::net {

// Headers every response carries: a CSP that allows only our own scripts and sockets, and the
// camera/microphone/screen permissions for our own origin only. `overTls` (TLS_CERT_FILE and
// TLS_KEY_FILE set) adds `Strict-Transport-Security: max-age=31536000`: a year in which the
// browser goes straight to https:// for this host, so nobody on the path can serve it a plain
// page first. Never over plain HTTP (the server may sit behind a proxy that owns that choice,
// and browsers ignore the header there anyway). No includeSubDomains: the server knows its own
// name, not what else lives under it; when it is served at a bare domain that would force every
// sibling host onto HTTPS for a year. A proxy or the operator can add it, and preload, knowingly.
void addSecurityHeaders(boost::beast::http::fields& headers, bool overTls);

}  // namespace pulsemeet::net
