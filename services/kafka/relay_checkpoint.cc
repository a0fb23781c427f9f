#include "services/kafka/relay_checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace rotor::kafka {
namespace {

constexpr char kMagic[] = "rotor-relay-checkpoint";

Status OsError(const std::string& what, const std::string& path) {
  return Status::IoError(what + " " + path + ": " + strerror(errno));
}

// Writes all of `data` to `fd`. Errors: kIoError.
Status WriteAll(int fd, const std::string& data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return OsError("write", path);
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status FsyncDirectoryOf(const std::string& path) {
  size_t slash = path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return OsError("open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return OsError("fsync directory", dir);
  return Status::Ok();
}

}  // namespace

Result<RelayPosition> RelayCheckpointFile::Load() const {
  std::ifstream in(path_);
  if (!in) {
    if (::access(path_.c_str(), F_OK) != 0 && errno == ENOENT) return RelayPosition{};
    return OsError("open", path_);
  }
  std::string line;
  std::getline(in, line);
  std::istringstream fields(line);
  std::string magic, hash_hex;
  int version = 0;
  RelayPosition position;
  Status corrupt = Status::Corruption("relay checkpoint " + path_ + ": cannot parse '" + line +
                                      "' (want '" + kMagic + " 1 <sequence> <sha256 hex>')");
  if (!(fields >> magic >> version >> position.sequence >> hash_hex) || magic != kMagic ||
      version != 1 || !Sha256FromHex(hash_hex, &position.hash)) {
    return corrupt;
  }
  return position;
}

Status RelayCheckpointFile::Store(const RelayPosition& position) const {
  std::string tmp = path_ + ".tmp";
  std::string text = std::string(kMagic) + " 1 " + std::to_string(position.sequence) + " " +
                     ToHex(position.hash) + "\n";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return OsError("create", tmp);
  Status written = WriteAll(fd, text, tmp);
  if (written.ok() && ::fsync(fd) != 0) written = OsError("fsync", tmp);
  if (::close(fd) != 0 && written.ok()) written = OsError("close", tmp);
  ROTOR_RETURN_IF_ERROR(written);
  if (::rename(tmp.c_str(), path_.c_str()) != 0) return OsError("rename to", path_);
  return FsyncDirectoryOf(path_);
}

}  // namespace rotor::kafka
