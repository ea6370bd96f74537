// Progress of long work: files, records and MB/s.
//
// On a terminal it redraws one status line a few times a second; otherwise (a log file, a CI
// job, a Kubernetes pod) it writes a plain timestamped line every `log_interval`, so logs stay
// readable and grep-able. Thread-compatible: one reporter per run.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace tradeflow::observe {

// A status `line` fitted to a terminal of `columns` (0: as it is) by cutting the start of `name`
// inside it ("..." in its place): a line that wraps is not cleared by the next redraw's carriage
// return, and the terminal would fill up with old lines.
std::string FitLine(const std::string& line, const std::string& name, int columns);

class Progress {
 public:
  // `out` is usually stderr; `interactive` is normally isatty(out).
  Progress(std::FILE* out, bool interactive,
           std::chrono::milliseconds log_interval = std::chrono::seconds(10));

  void StartFile(const std::string& name, int index, int total);
  // Totals so far for the current file.
  void Update(int64_t records, int64_t bytes);
  // A line that stays (file done, skipped, committed).
  void Line(const std::string& text);
  void Finish();

 private:
  void Draw(bool force);

  std::FILE* out_;
  bool interactive_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point start_, last_draw_, file_start_;
  std::string file_;
  int index_ = 0, total_ = 0;
  int64_t records_ = 0, bytes_ = 0;
  bool line_open_ = false;
};

}  // namespace tradeflow::observe
