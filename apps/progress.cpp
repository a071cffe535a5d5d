#include "apps/progress.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <sstream>

#include "kernels/common/error.h"

namespace tl::app {

bool stdout_is_terminal() { return isatty(fileno(stdout)) != 0; }

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto total = static_cast<int64_t>(std::llround(seconds));
  const int64_t hours = total / 3600, minutes = (total / 60) % 60, secs = total % 60;
  std::ostringstream out;
  if (hours > 0)
    out << hours << ":" << std::setw(2) << std::setfill('0') << minutes;
  else
    out << minutes;
  out << ":" << std::setw(2) << std::setfill('0') << secs;
  return out.str();
}

namespace {

double steady_seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

std::string format_rate(double rate) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(rate >= 100 ? 0 : 1) << rate;
  return out.str();
}

}  // namespace

Progress::Progress(std::string label, int64_t total, std::string unit, std::ostream& out,
                   ProgressOptions options)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      out_(out),
      options_(std::move(options)) {
  TL_CHECK(total_ > 0, "progress '" << label_ << "': total must be > 0, got " << total_);
  if (!options_.clock) options_.clock = steady_seconds;
  start_s_ = last_report_s_ = options_.clock();
}

Progress::~Progress() {
  if (!finished_) finish();
}

double Progress::elapsed_s() const { return options_.clock() - start_s_; }

double Progress::rate() const {
  const double elapsed = elapsed_s();
  return elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
}

double Progress::eta_s() const {
  const double r = rate();
  return r > 0 ? static_cast<double>(total_ - done_) / r : -1.0;
}

void Progress::advance(int64_t units) {
  done_ = std::min(total_, done_ + units);
  const double now = options_.clock();
  const double interval = options_.interactive ? options_.redraw_interval_s : options_.line_interval_s;
  if (done_ == total_) return finish();
  if (now - last_report_s_ >= interval) {
    last_report_s_ = now;
    report(false);
  }
}

void Progress::set_status(const std::string& text) { status_ = text; }

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  report(true);
}

void Progress::report(bool final_report) {
  if (options_.interactive) {
    std::string line = bar_line();
    const size_t length = line.size();
    // Pad with spaces so a shorter line fully covers the previous one.
    if (length < last_bar_length_) line.append(last_bar_length_ - length, ' ');
    last_bar_length_ = length;
    out_ << "\r" << line;
    if (final_report) out_ << "\n";
  } else {
    out_ << plain_line(final_report) << "\n";
  }
  out_.flush();
}

std::string Progress::bar_line() const {
  const double fraction = static_cast<double>(done_) / static_cast<double>(total_);
  const int filled = static_cast<int>(fraction * options_.bar_width);
  std::ostringstream out;
  out << label_ << "  [" << std::string(filled, '#') << std::string(options_.bar_width - filled, '.') << "]  "
      << done_ << "/" << total_ << "  " << static_cast<int>(fraction * 100) << "%  " << format_rate(rate())
      << " " << unit_ << "/s  "
      << (done_ == total_ ? "took " + format_duration(elapsed_s()) : "ETA " + format_duration(eta_s()));
  if (!status_.empty()) out << "  " << status_;
  return out.str();
}

std::string Progress::plain_line(bool final_report) const {
  const double fraction = static_cast<double>(done_) / static_cast<double>(total_);
  std::ostringstream out;
  out << label_ << ": " << done_ << "/" << total_ << " " << unit_ << " (" << static_cast<int>(fraction * 100)
      << "%), " << format_rate(rate()) << " " << unit_ << "/s, ";
  out << (final_report ? "took " + format_duration(elapsed_s()) : "ETA " + format_duration(eta_s()));
  if (!status_.empty()) out << ", " << status_;
  return out.str();
}

}  // namespace tl::app
