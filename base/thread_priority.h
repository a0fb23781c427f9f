// Background work yields the CPU to requests: a thread that encodes or
// writes snapshots calls LowerThisThreadPriority() first, so that on a busy
// machine (two cores, say) a command or a query is not kept waiting behind
// work that can just as well finish a little later. Thread-safe.
#pragma once

namespace rotor {

// The nice value background threads run at (0 is normal, 19 the lowest).
inline constexpr int kBackgroundNice = 10;

// Lowers the calling thread's CPU priority to kBackgroundNice (Linux: nice
// applies per thread). Best effort: a failure is ignored (the thread keeps
// its priority).
void LowerThisThreadPriority();

}  // namespace rotor
