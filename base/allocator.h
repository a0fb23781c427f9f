// The process's memory allocator, whichever is linked: jemalloc in Rotor's
// programs (rotord, rotor-kafka-bridge, rotor-bench; CMake's ROTOR_ALLOCATOR),
// glibc's malloc in tests and sanitizer builds. Found at run time: code that
// uses these works under both.
#pragma once

#include <string>

namespace rotor {

// "jemalloc 5.3.0-0-g54eaed1d..." or "glibc malloc 2.36".
std::string AllocatorName();

// Tuning for a long-running server, called first thing in main. jemalloc:
// none here (its settings are linked in as `malloc_conf`, allocator.cc).
// glibc: two arenas instead of eight per core (request threads' freed memory
// is reused, not held per thread) and blocks of 256 KiB and more always from
// mmap (glibc otherwise raises that threshold after the first large free,
// and later large buffers fragment the heap).
void TuneAllocatorForServer();

// Returns to the system the memory the allocator holds but no longer uses
// (after loading state at start, after encoding a snapshot): jemalloc purges
// every arena, glibc trims its heaps.
void ReleaseFreeMemory();

}  // namespace rotor
