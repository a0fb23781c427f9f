#include "services/app/report_batch_json.h"

namespace rotor::app {
namespace {

class Cursor {
 public:
  explicit Cursor(std::string_view in) : in_(in) {}
  size_t Position() const { return pos_; }
  void SkipSpace() {
    while (pos_ < in_.size() &&
           (in_[pos_] == ' ' || in_[pos_] == '\t' || in_[pos_] == '\n' || in_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool AtEnd() const { return pos_ == in_.size(); }
  bool Take(std::string_view token) {
    SkipSpace();
    if (in_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }
  // From the opening '{' at Position(): to just past its closing '}'. Arrays may nest inside;
  // objects may not; strings may hold no escape or control character.
  bool SkipObject() {
    int arrays = 0;
    bool in_string = false;
    for (++pos_; pos_ < in_.size(); ++pos_) {
      auto c = static_cast<unsigned char>(in_[pos_]);
      if (in_string) {
        if (c == '\\' || c < 0x20) return false;
        in_string = c != '"';
      } else if (c == '"') {
        in_string = true;
      } else if (c == '[') {
        ++arrays;
      } else if (c == ']') {
        if (--arrays < 0) return false;
      } else if (c == '{') {
        return false;
      } else if (c == '}') {
        ++pos_;
        return arrays == 0;
      }
    }
    return false;
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace

bool SplitPlainReportBatch(std::string_view body, std::vector<std::string_view>* reports) {
  reports->clear();
  Cursor in(body);
  if (!in.Take("{") || !in.Take("\"reports\"") || !in.Take(":") || !in.Take("[")) return false;
  if (!in.Take("]")) {
    do {
      in.SkipSpace();
      size_t start = in.Position();
      if (start == body.size() || body[start] != '{' || !in.SkipObject()) return false;
      reports->push_back(body.substr(start, in.Position() - start));
    } while (in.Take(","));
    if (!in.Take("]")) return false;
  }
  if (!in.Take("}")) return false;
  in.SkipSpace();
  return in.AtEnd();
}

}  // namespace rotor::app
