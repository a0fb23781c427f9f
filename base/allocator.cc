#include "base/allocator.h"

#include <gnu/libc-version.h>
#include <malloc.h>

#include <cstddef>

// jemalloc's control interface, present only when jemalloc is linked: a weak
// reference is null otherwise.
// NOLINTNEXTLINE(readability-identifier-naming): jemalloc's name
extern "C" int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen)
    __attribute__((weak));

// jemalloc reads its settings from this symbol when the process starts
// (glibc's malloc ignores it):
// - background_thread: a thread of jemalloc's own returns freed pages to the
//   system, not the thread that happens to free or allocate next;
// - dirty_decay_ms 1000, muzzy_decay_ms 0: freed pages go back to the
//   system within about a second, and for good (not kept as "muzzy" pages);
// - narenas 2: two arenas, like glibc's M_ARENA_MAX below (resident memory);
// - oversize_threshold 4 MiB: blocks of that size and more come from an
//   arena that returns them to the system as soon as they are freed
//   (snapshot encodings and other large buffers: the peak). Lower (256 KiB,
//   like glibc's M_MMAP_THRESHOLD below) gave the same memory but sent every
//   request's and group commit's buffers of a few hundred KiB back to the
//   system, to be faulted in again by the next one; jemalloc's default
//   (8 MiB) raised the peak.
// Measured on a 1,000,000-agent node: docs/performance.md, "The allocator".
extern "C" {
const char* malloc_conf =
    "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0,narenas:2,"
    "oversize_threshold:4194304";
}

namespace rotor {

namespace {

bool Jemalloc() { return mallctl != nullptr; }

}  // namespace

std::string AllocatorName() {
  if (Jemalloc()) {
    const char* version = nullptr;
    size_t size = sizeof(version);
    if (mallctl("version", &version, &size, nullptr, 0) == 0 && version != nullptr) {
      return std::string("jemalloc ") + version;
    }
    return "jemalloc";
  }
  return std::string("glibc malloc ") + gnu_get_libc_version();
}

void TuneAllocatorForServer() {
  if (Jemalloc()) return;
  mallopt(M_ARENA_MAX, 2);
  mallopt(M_MMAP_THRESHOLD, 256 << 10);
}

void ReleaseFreeMemory() {
  if (Jemalloc()) {
    // Every arena's unused pages: "arena.<MALLCTL_ARENAS_ALL>.purge", where
    // jemalloc.h defines MALLCTL_ARENAS_ALL as 4096.
    (void)mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);
    return;
  }
  malloc_trim(0);
}

}  // namespace rotor
