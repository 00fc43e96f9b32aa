// glibc's allocator entry points replaced by counting wrappers around glibc's own (__libc_*):
// symbol interposition makes every library of the process call these, C ones included, which a
// replaced operator new alone would not see. The counter is the one piece of global mutable
// state, and it has to be: an allocator is process-wide.
#include "AllocationCounter.hpp"

#include <atomic>
#include <cstddef>

extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* pointer, std::size_t size);
void* __libc_memalign(std::size_t alignment, std::size_t size);
}

namespace {

std::atomic<std::size_t>& counter() {
    static std::atomic<std::size_t> allocations{0};
    return allocations;
}

void count() {
    counter().fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

extern "C" {

void* malloc(std::size_t size) {
    count();
    return __libc_malloc(size);
}

void* calloc(std::size_t count_, std::size_t size) {
    count();
    return __libc_calloc(count_, size);
}

void* realloc(void* pointer, std::size_t size) {
    count();
    return __libc_realloc(pointer, size);
}

void* aligned_alloc(std::size_t alignment, std::size_t size) {
    count();
    return __libc_memalign(alignment, size);
}

void* memalign(std::size_t alignment, std::size_t size) {
    count();
    return __libc_memalign(alignment, size);
}

int posix_memalign(void** out, std::size_t alignment, std::size_t size) {
    count();
    void* pointer = __libc_memalign(alignment, size);
    if (!pointer) return 12;  // ENOMEM
    *out = pointer;
    return 0;
}

}  // extern "C"

namespace pulsemeet::testing {

std::size_t allocationsSoFar() {
    return counter().load(std::memory_order_relaxed);
}

}  // namespace pulsemeet::testing
