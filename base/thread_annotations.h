// Clang thread-safety annotations (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html),
// in the manner of LevelDB's port/thread_annotations.h.
//
// A member that a mutex protects is declared GUARDED_BY(mu_); a function that
// must be called with it held is REQUIRES(mu_), one that takes it itself is
// EXCLUDES(mu_). Built with clang++ -Wthread-safety (scripts/ci-clang.sh), the
// compiler checks every access; under other compilers the macros expand to
// nothing. Use them with rotor::Mutex (base/mutex.h), whose lock functions
// carry the matching annotations; std::mutex carries none.
#pragma once

#if defined(__clang__)
#define ROTOR_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define ROTOR_THREAD_ANNOTATION(x)  // no-op
#endif

// Data members: protected by the given capability (a Mutex).
#define GUARDED_BY(x) ROTOR_THREAD_ANNOTATION(guarded_by(x))
// Pointer members: the pointee is protected by the given capability.
#define PT_GUARDED_BY(x) ROTOR_THREAD_ANNOTATION(pt_guarded_by(x))

// Lock ordering between two mutexes.
#define ACQUIRED_AFTER(...) ROTOR_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
#define ACQUIRED_BEFORE(...) ROTOR_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))

// Functions: the caller must hold (REQUIRES) or must not hold (EXCLUDES) the
// capability.
#define REQUIRES(...) ROTOR_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) ROTOR_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
#define EXCLUDES(...) ROTOR_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// LevelDB's spelling of REQUIRES.
#define EXCLUSIVE_LOCKS_REQUIRED(...) REQUIRES(__VA_ARGS__)

// Lock and unlock functions of a capability type.
#define ACQUIRE(...) ROTOR_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) ROTOR_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) ROTOR_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define ASSERT_CAPABILITY(x) ROTOR_THREAD_ANNOTATION(assert_capability(x))
#define RETURN_CAPABILITY(x) ROTOR_THREAD_ANNOTATION(lock_returned(x))

// Types: a mutex-like capability, and an RAII holder of one.
#define CAPABILITY(x) ROTOR_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY ROTOR_THREAD_ANNOTATION(scoped_lockable)

// Opt a function out of the analysis (say why at the use).
#define NO_THREAD_SAFETY_ANALYSIS ROTOR_THREAD_ANNOTATION(no_thread_safety_analysis)
