#include "observe/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <ctime>
#include <string>

namespace tradeflow::observe {
namespace {

std::string Clock() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The terminal's width in columns, or 0 when it cannot be told.
int TerminalColumns(std::FILE* out) {
  struct winsize size {};
  if (ioctl(fileno(out), TIOCGWINSZ, &size) != 0) return 0;
  return size.ws_col;
}

}  // namespace

std::string FitLine(const std::string& line, const std::string& name, int columns) {
  if (columns <= 0 || static_cast<int>(line.size()) < columns) return line;
  const size_t excess = line.size() - static_cast<size_t>(columns) + 4;  // "..." and a margin
  const size_t at = line.find(name);
  if (at == std::string::npos) return line.substr(0, columns - 1);
  // The name's end (its file name) if anything of it fits, else "..." alone; the counts last.
  const std::string shorter = line.substr(0, at) + "..." +
                              (excess < name.size() ? name.substr(excess) : "") +
                              line.substr(at + name.size());
  return shorter.size() < static_cast<size_t>(columns) ? shorter : shorter.substr(0, columns - 1);
}

Progress::Progress(std::FILE* out, bool interactive, std::chrono::milliseconds log_interval)
    : out_(out),
      interactive_(interactive),
      interval_(interactive ? std::chrono::milliseconds(250) : log_interval),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

void Progress::StartFile(const std::string& name, int index, int total) {
  file_ = name;
  index_ = index;
  total_ = total;
  records_ = bytes_ = 0;
  file_start_ = std::chrono::steady_clock::now();
  if (!interactive_) {
    std::fprintf(out_, "%s reading file %d/%d %s\n", Clock().c_str(), index, total, name.c_str());
  }
}

void Progress::Update(int64_t records, int64_t bytes) {
  records_ = records;
  bytes_ = bytes;
  Draw(false);
}

void Progress::Draw(bool force) {
  auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < interval_) return;
  last_draw_ = now;
  double secs = std::chrono::duration<double>(now - file_start_).count();
  double mbps = secs > 0 ? static_cast<double>(bytes_) / (1 << 20) / secs : 0;
  if (interactive_) {
    char counts[96];
    std::snprintf(counts, sizeof counts, ": %lld records, %.1f MB/s",
                  static_cast<long long>(records_), mbps);
    const std::string line =
        "file " + std::to_string(index_) + "/" + std::to_string(total_) + " " + file_ + counts;
    std::fprintf(out_, "\r\033[K%s", FitLine(line, file_, TerminalColumns(out_)).c_str());
    line_open_ = true;
  } else {
    std::fprintf(out_, "%s file %d/%d %s: %lld records, %.1f MB/s\n", Clock().c_str(), index_,
                 total_, file_.c_str(), static_cast<long long>(records_), mbps);
  }
  std::fflush(out_);
}

void Progress::Line(const std::string& text) {
  if (line_open_) {
    std::fprintf(out_, "\r\033[K");
    line_open_ = false;
  }
  if (interactive_) {
    std::fprintf(out_, "%s\n", text.c_str());
  } else {
    std::fprintf(out_, "%s %s\n", Clock().c_str(), text.c_str());
  }
  std::fflush(out_);
}

void Progress::Finish() {
  if (line_open_) {
    std::fprintf(out_, "\r\033[K");
    line_open_ = false;
    std::fflush(out_);
  }
}

}  // namespace tradeflow::observe
