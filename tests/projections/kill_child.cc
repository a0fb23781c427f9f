#include "tests/projections/kill_child.h"

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

#include "events/rocksdb_event_log.h"
#include "projections/audit_projection.h"
#include "projections/fleet_projection.h"
#include "projections/rocksdb_store.h"
#include "projections/runner.h"
#include "tests/projections/counting_projection.h"

namespace rotor::projections::testing {

int KillChildMain(int argc, char** argv) {
  if (argc != 6) return 2;
  int fd = std::atoi(argv[4]);
  size_t batch = static_cast<size_t>(std::atoi(argv[5]));
  auto log = RocksDbEventLog::Open(argv[2], {.sync = false});
  auto store = RocksDbProjectionStore::Open(argv[3], {.sync = false});
  if (!log.ok() || !store.ok()) {
    std::fprintf(stderr, "kill child: cannot open the log or the store\n");
    return 3;
  }
  uint64_t head = (*log)->Head();
  std::mutex mu;
  std::condition_variable done;
  uint64_t at[3] = {0, 0, 0};
  auto report = [&](uint64_t projection) {
    return [&, projection](const Checkpoint& cp) {
      CommitReport r{cp.sequence, projection};
      if (write(fd, &r, sizeof(r)) != sizeof(r)) std::_Exit(4);
      std::lock_guard<std::mutex> lock(mu);
      at[projection] = cp.sequence;
      done.notify_all();
    };
  };
  FleetProjection fleet;
  AuditProjection audit;
  ProjectionRunner fleet_runner(**log, **store, fleet,
                                {.batch_size = batch, .on_commit = report(0)});
  ProjectionRunner audit_runner(**log, **store, audit,
                                {.batch_size = batch + 1, .on_commit = report(1)});
  CountingProjection counting;
  ProjectionRunner counting_runner(**log, **store, counting,
                                   {.batch_size = batch + 2, .on_commit = report(2)});
  ProjectionRunner* runners[] = {&fleet_runner, &audit_runner, &counting_runner};
  for (int i = 0; i < 3; ++i) {
    if (!runners[i]->Open().ok()) return 5;
    at[i] = runners[i]->checkpoint().sequence;
  }
  for (ProjectionRunner* r : runners) r->Start();
  auto failed = [&] {
    for (ProjectionRunner* r : runners) {
      if (!r->status().ok()) return true;
    }
    return false;
  };
  {
    // A runner that fails stops committing: re-check its status now and then.
    std::unique_lock<std::mutex> lock(mu);
    while (!done.wait_for(lock, std::chrono::milliseconds(100), [&] {
      return (at[0] >= head && at[1] >= head && at[2] >= head) || failed();
    })) {
    }
  }
  for (ProjectionRunner* r : runners) r->Stop();
  return failed() ? 6 : 0;
}

}  // namespace rotor::projections::testing
