// Not built into any binary: tests/events/CMakeLists.txt compiles it with
// clang++ -Wthread-safety -Werror and expects the compiler to refuse it, so
// that CI notices if the annotations (base/thread_annotations.h) stop
// being checked.
#include "base/mutex.h"

namespace rotor {

class Counter {
 public:
  void Increment() { ++count_; }  // error: writing count_ requires holding mu_

 private:
  Mutex mu_;
  int count_ GUARDED_BY(mu_) = 0;
};

}  // namespace rotor
