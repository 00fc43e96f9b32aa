#include "media/DtlsDatagramBio.hpp"

#include <openssl/bio.h>

namespace pulsemeet::media {

namespace {

int writeDatagram(BIO* bio, const char* data, int length) {
    auto* queue = static_cast<DtlsDatagramQueue*>(BIO_get_data(bio));
    if (!queue || length < 0) return -1;
    queue->push({reinterpret_cast<const std::uint8_t*>(data), static_cast<std::size_t>(length)});
    return length;
}

long control(BIO*, int command, long, void*) {
    switch (command) {
        case BIO_CTRL_FLUSH:
            return 1;
        // Nothing is ever pending: every write went out as a datagram; and no per-datagram
        // overhead beyond the MTU the owner set (DTLS_set_link_mtu).
        case BIO_CTRL_PENDING:
        case BIO_CTRL_WPENDING:
        case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
            return 0;
        default:
            return 0;
    }
}

int create(BIO* bio) {
    BIO_set_init(bio, 1);
    return 1;
}

}  // namespace

bio_method_st* makeDatagramBioMethod() {
    BIO_METHOD* method =
        BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "pulsemeet DTLS datagrams");
    if (!method) return nullptr;
    if (BIO_meth_set_write(method, writeDatagram) != 1 || BIO_meth_set_ctrl(method, control) != 1 ||
        BIO_meth_set_create(method, create) != 1) {
        BIO_meth_free(method);
        return nullptr;
    }
    return method;
}

}  // namespace pulsemeet::media
