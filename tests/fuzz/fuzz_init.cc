// libFuzzer's start-up hook, linked into every target (rotor_fuzz() in
// CMakeLists.txt): a target prints nothing per input.
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  rotor::fuzz::QuietLogs();
  return 0;
}
