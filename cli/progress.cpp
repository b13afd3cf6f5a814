#include "progress.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <utility>

namespace seedance::cli {

// The reference's word for the normalised status, whatever word the service used, so scripts
// see one vocabulary (--json also carries the service's own word).
std::string format_status(const Task& task) {
  return std::string(to_string(task.status)) + " " + std::to_string(task.progress) + "%";
}

std::string format_elapsed(std::chrono::seconds elapsed) {
  const long long total = elapsed.count() < 0 ? 0 : static_cast<long long>(elapsed.count());
  const long long hours = total / 3600;
  const long long minutes = total / 60 % 60;
  const long long seconds = total % 60;
  char text[48];
  if (hours > 0) {
    std::snprintf(text, sizeof text, "%lldh%02lldm%02llds", hours, minutes, seconds);
  } else if (minutes > 0) {
    std::snprintf(text, sizeof text, "%lldm%02llds", minutes, seconds);
  } else {
    std::snprintf(text, sizeof text, "%llds", seconds);
  }
  return text;
}

std::string format_bytes(std::uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  // Computed in powers of 1024, so labelled in IEC units: "MB" would claim powers of 1000.
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes) / 1024.0;
  std::size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < std::size(kUnits)) {
    value /= 1024.0;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %s", value, kUnits[unit]);
  return text;
}

std::string format_bar(std::uint64_t done, std::uint64_t total) {
  constexpr std::uint64_t kWidth = 20;
  const std::uint64_t shown = std::min(done, total);
  const auto filled = static_cast<std::size_t>(total == 0 ? kWidth : shown * kWidth / total);
  const auto percent = static_cast<int>(total == 0 ? 100 : shown * 100 / total);
  return "[" + std::string(filled, '#') + std::string(kWidth - filled, '-') + "] " +
         std::to_string(percent) + "%";
}

ProgressReporter::ProgressReporter(std::ostream& err, bool live)
    : err_(err), live_(live), start_(std::chrono::steady_clock::now()) {}

ProgressReporter::~ProgressReporter() { finish(); }

std::string ProgressReporter::elapsed_text() const {
  return format_elapsed(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start_));
}

void ProgressReporter::draw_locked() {
  // "\r\033[K": back to column 0 and clear the line, so a shorter line leaves no debris.
  err_ << "\r\033[K" << current_ << "  " << elapsed_text() << std::flush;
  line_open_ = true;
}

void ProgressReporter::task_changed(const Task& task) {
  std::lock_guard<std::mutex> lock(mutex_);
  current_ = task.task_id + " " + format_status(task);
  if (live_) {
    draw_locked();
  } else {
    err_ << "seedance: " << current_ << " (" << elapsed_text() << ")\n" << std::flush;
  }
}

void ProgressReporter::download_progressed(const DownloadProgress& progress) {
  if (!live_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  current_ = "downloading " + format_bytes(progress.bytes_done);
  if (progress.bytes_total) current_ += " / " + format_bytes(*progress.bytes_total);
  if (progress.bytes_per_second > 0) {
    current_ += ", " + format_bytes(static_cast<std::uint64_t>(progress.bytes_per_second)) + "/s";
  }
  if (progress.bytes_total && *progress.bytes_total > 0) {
    current_ += " " + format_bar(progress.bytes_done, *progress.bytes_total);
    if (progress.bytes_per_second > 0 && progress.bytes_done < *progress.bytes_total) {
      const double left = static_cast<double>(*progress.bytes_total - progress.bytes_done) /
                          progress.bytes_per_second;
      current_ += " ETA " + format_elapsed(std::chrono::seconds(std::llround(left)));
    }
  }
  draw_locked();
}

void ProgressReporter::status(const std::string& text) {
  if (!live_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  current_ = text;
  draw_locked();
}

void ProgressReporter::message(const std::string& text) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (line_open_) err_ << "\r\033[K";
  err_ << "seedance: " << text << '\n';
  if (line_open_) draw_locked();
  err_.flush();
}

void ProgressReporter::tick() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (live_ && line_open_) draw_locked();
}

void ProgressReporter::finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (line_open_) err_ << '\n' << std::flush;
  line_open_ = false;
}

Ticker::Ticker(std::chrono::milliseconds period, std::function<void()> action)
    : thread_([stop = stop_, period, action = std::move(action)] {
        while (!stop.wait_for(period)) action();
      }) {}

Ticker::~Ticker() {
  stop_.cancel();
  thread_.join();
}

}  // namespace seedance::cli
