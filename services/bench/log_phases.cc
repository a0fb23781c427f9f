#include "services/bench/log_phases.h"

#include <fcntl.h>
#include <rocksdb/write_batch.h>
#include <spdlog/fmt/fmt.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <latch>
#include <thread>

#include "events/group_commit.h"
#include "events/rocksdb_event_log.h"
#include "services/bench/bench_util.h"

namespace rotor::bench {
namespace {

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::Ok();
  return Status::IoError(std::string(what) + ": " + s.ToString());
}

// Measures wall-clock and calling-thread CPU time from construction.
class Clock {
 public:
  Clock() : wall_(std::chrono::steady_clock::now()), cpu_(ThreadCpuSeconds()) {}
  Timing Elapsed() const {
    std::chrono::duration<double> wall = std::chrono::steady_clock::now() - wall_;
    return Timing{wall.count(), ThreadCpuSeconds() - cpu_};
  }

 private:
  std::chrono::steady_clock::time_point wall_;
  double cpu_;
};

}  // namespace

Result<std::unique_ptr<rocksdb::DB>> OpenRaw(const std::string& path) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* db = nullptr;
  ROTOR_RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(options, path, &db), "open " + path));
  return std::unique_ptr<rocksdb::DB>(db);
}

Result<Timing> RawBatchAppend(rocksdb::DB* db, const std::vector<StoredRecord>& records,
                              size_t batch) {
  rocksdb::WriteOptions wo;
  wo.sync = true;
  Clock clock;
  for (size_t first = 0; first < records.size(); first += batch) {
    rocksdb::WriteBatch wb;
    size_t end = std::min(records.size(), first + batch);
    for (size_t i = first; i < end; ++i) wb.Put(records[i].key, records[i].value);
    ROTOR_RETURN_IF_ERROR(FromRocks(db->Write(wo, &wb), "raw batch write"));
  }
  return clock.Elapsed();
}

Result<Timing> RotorBatchAppend(EventLog* log, std::vector<AppendRequest> requests) {
  Clock clock;
  for (AppendRequest& r : requests) {
    Result<AppendResult> result = log->Append(std::move(r));
    if (!result.ok()) return result.status().WithContext("rotor batch append");
  }
  return clock.Elapsed();
}

Result<bool> SameBytes(const EventLog& log, const std::vector<StoredRecord>& records) {
  size_t i = 0;
  bool same = true;
  ROTOR_RETURN_IF_ERROR(
      log.ScanStored(1, Direction::kForward, [&](uint64_t seq, std::string_view value) {
        same = i < records.size() && RocksDbEventLog::SequenceKey(seq) == records[i].key &&
               value == records[i].value;
        ++i;
        return same;
      }));
  return same && i == records.size();
}

Result<Timing> RawRead(rocksdb::DB* db, uint64_t count) {
  Clock clock;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  uint64_t n = 0, touched = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    rocksdb::Slice k = it->key(), v = it->value();
    touched += k.size() + v.size() + static_cast<uint8_t>(k[k.size() - 1]) +
               static_cast<uint8_t>(v[v.size() - 1]);
    ++n;
  }
  ROTOR_RETURN_IF_ERROR(FromRocks(it->status(), "raw scan"));
  Timing t = clock.Elapsed();
  if (n != count || touched == 0) return Status::Internal(fmt::format("raw read {} records", n));
  return t;
}

Result<Timing> RotorRead(const EventLog& log, uint64_t count) {
  Clock clock;
  uint64_t n = 0, touched = 0;
  ROTOR_RETURN_IF_ERROR(log.ForEach(1, [&](const RecordedEvent& e) {
    touched += e.payload.size() + e.stream_version;
    ++n;
    return true;
  }));
  Timing t = clock.Elapsed();
  if (n != count || touched == 0) return Status::Internal(fmt::format("rotor read {} events", n));
  return t;
}

Result<double> RunThreads(size_t threads, const std::function<Status(size_t)>& work) {
  std::latch start(static_cast<std::ptrdiff_t>(threads) + 1);
  std::vector<Status> results(threads);
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      start.arrive_and_wait();
      results[t] = work(t);
    });
  }
  auto begin = std::chrono::steady_clock::now();
  start.count_down();
  for (std::thread& th : pool) th.join();
  std::chrono::duration<double> wall = std::chrono::steady_clock::now() - begin;
  for (const Status& s : results) ROTOR_RETURN_IF_ERROR(s);
  return wall.count();
}

Result<double> MedianFsyncSeconds(const std::string& dir, size_t bytes, int writes) {
  std::string path = dir + "/fsync-floor";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError("open " + path + ": " + std::strerror(errno));
  std::string block(bytes, 'f');
  std::vector<double> seconds;
  Status status;
  for (int i = 0; i < writes && status.ok(); ++i) {
    auto begin = std::chrono::steady_clock::now();
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size())) {
      status = Status::IoError("write " + path + ": " + std::strerror(errno));
    } else if (::fdatasync(fd) != 0) {
      status = Status::IoError("fdatasync " + path + ": " + std::strerror(errno));
    }
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count());
  }
  ::close(fd);
  ::unlink(path.c_str());
  ROTOR_RETURN_IF_ERROR(status);
  if (seconds.empty()) return Status::InvalidArgument("no fsync writes asked for");
  std::nth_element(seconds.begin(),
                   seconds.begin() + static_cast<std::ptrdiff_t>(seconds.size() / 2),
                   seconds.end());
  return seconds[seconds.size() / 2];
}

Result<double> MinimalGroupCommitPerSecond(const std::string& dir, size_t bytes, size_t threads,
                                           size_t per_thread) {
  std::string path = dir + "/group-commit-floor";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError("open " + path + ": " + std::strerror(errno));
  std::string block;
  Status status;  // the first failure; commits run one at a time
  GroupCommit queue(per_thread * threads, [&](const std::vector<GroupCommit::Member*>& group) {
    block.assign(bytes * group.size(), 'g');
    if (!status.ok()) return;
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size())) {
      status = Status::IoError("write " + path + ": " + std::strerror(errno));
    } else if (::fdatasync(fd) != 0) {
      status = Status::IoError("fdatasync " + path + ": " + std::strerror(errno));
    }
  });
  Result<double> seconds = RunThreads(threads, [&](size_t) {
    for (size_t i = 0; i < per_thread; ++i) {
      GroupCommit::Member append;
      append.events = 1;
      queue.Join(append);
    }
    return Status::Ok();
  });
  ::close(fd);
  ::unlink(path.c_str());
  ROTOR_RETURN_IF_ERROR(seconds.status());
  ROTOR_RETURN_IF_ERROR(status);
  return static_cast<double>(threads * per_thread) / *seconds;
}

}  // namespace rotor::bench
