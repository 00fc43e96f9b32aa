#pragma once

#include <cstddef>

// Every heap allocation this process makes (malloc, calloc, realloc, the aligned ones, and so
// operator new and whatever a C library such as libsrtp or NSS allocates), counted by the
// replacements in AllocationCounter.cpp. Only for the allocation tests' own executable.
namespace pulsemeet::testing {

std::size_t allocationsSoFar();

// Allocations made while it lived.
class AllocationScope {
  public:
    AllocationScope() : start_(allocationsSoFar()) {}
    std::size_t count() const { return allocationsSoFar() - start_; }

  private:
    std::size_t start_;
};

}  // namespace pulsemeet::testing
