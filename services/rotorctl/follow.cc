// Live progress: `status --follow` and `replace --follow`. See commands.h.
#include <unistd.h>

#include <cstdio>

#include "services/rotorctl/commands.h"
#include "services/rotorctl/format.h"

namespace rotor::ctl {
namespace {

class Drawer {
 public:
  Drawer(bool json, bool tty) : json_(json), tty_(tty) {}

  void Draw(const json& progress) {
    if (json_) {
      std::printf("%s\n", progress.dump().c_str());
    } else if (tty_) {
      std::printf("\r\033[K%s", ProgressLine(progress).c_str());
      drawn_ = true;
    } else {
      std::string line = ProgressLine(progress);
      if (line == last_) return;  // a change the line does not show
      std::printf("%s\n", line.c_str());
      last_ = std::move(line);
    }
    std::fflush(stdout);
  }

  // Ends an in-place line.
  void Finish() {
    if (drawn_) std::printf("\n");
    drawn_ = false;
    std::fflush(stdout);
  }

 private:
  bool json_;
  bool tty_;
  bool drawn_ = false;
  std::string last_;
};

bool Done(const json& progress, bool until_ended) {
  return until_ended ? IsEnded(progress) : IsReady(progress);
}

}  // namespace

int FollowProgress(Session& s, const std::string& rollout_id, bool until_ended) {
  Drawer drawer(s.json_output(), isatty(STDOUT_FILENO) != 0);
  json last;
  if (!rollout_id.empty()) {
    std::optional<json> now = s.Request("GET", client::PathWith("/v1/rollouts/", rollout_id));
    if (!now) return s.exit_code();
    drawer.Draw(*now);
    last = *now;
    if (Done(*now, until_ended)) {
      drawer.Finish();
      return kExitOk;
    }
  }
  client::Transport* t = s.transport();
  if (t == nullptr) return s.exit_code();
  Status status = t->Watch([&](const std::string& text) {
    json progress = json::parse(text, nullptr, false);
    if (!progress.is_object()) return true;
    if (!rollout_id.empty() && FirstStr(progress, {"rollout_id", "id"}) != rollout_id) return true;
    drawer.Draw(progress);
    last = progress;
    return rollout_id.empty() || !Done(progress, until_ended);
  });
  drawer.Finish();
  if (!status.ok()) {
    if (status.code() == StatusCode::kIoError || status.code() == StatusCode::kCancelled ||
        status.code() == StatusCode::kInternal) {
      return s.Fail(kExitError, "progress stream: " + status.message());
    }
    return s.Fail(kExitRefused, "progress stream: " + std::string(StatusCodeName(status.code())) +
                                    ": " + status.message());
  }
  if (!s.json_output() && !last.is_null()) {
    std::string summary = Str(last, "summary");
    if (!summary.empty()) std::printf("%s\n", summary.c_str());
    if (IsReady(last) && !IsEnded(last)) {
      std::printf("ready to finalize: rotorctl finalize %s\n", rollout_id.c_str());
    }
  }
  return kExitOk;
}

}  // namespace rotor::ctl
