// Progress: how tl reports long work (feature extraction, training epochs, evaluation).
//
// On a terminal (interactive) it redraws one line in place, at most every `redraw_interval_s`:
//   extract  [##########..........]  5000/10000  50%  812.3 images/s  ETA 0:06  loss 0.41
// Otherwise (a log file, a pipe, CI) it prints plain lines, one every `line_interval_s` and one
// at the end, so logs stay readable:
//   extract: 5000/10000 images (50%), 812.3 images/s, ETA 0:06
// The clock is injectable so that tests can drive time by hand.
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

namespace tl::app {

// Whether standard output is a terminal (isatty), i.e. whether bars can be redrawn in place.
bool stdout_is_terminal();

// "0:07", "12:34", "1:02:03"; "?" for negative or non-finite seconds.
std::string format_duration(double seconds);

struct ProgressOptions {
  bool interactive = false;        // redraw a bar in place (a terminal) or print plain lines
  double redraw_interval_s = 0.1;  // interactive: at most this often
  double line_interval_s = 5.0;    // plain lines: at most this often (plus the final line)
  int bar_width = 24;
  std::function<double()> clock;  // seconds, monotonic; default: std::chrono::steady_clock
};

class Progress {
 public:
  // `total` units of work (> 0), named `unit` ("images", "batches") under `label`.
  Progress(std::string label, int64_t total, std::string unit, std::ostream& out,
           ProgressOptions options = {});
  ~Progress();  // finishes if not finished yet
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void advance(int64_t units = 1);           // adds done work and reports when due
  void set_status(const std::string& text);  // extra text at the end, e.g. "loss 0.412"
  void finish();                             // reports the final state once (newline on a terminal)

  int64_t done() const { return done_; }
  double elapsed_s() const;
  double rate() const;   // units per second so far (0 before any time has passed)
  double eta_s() const;  // seconds left at the current rate (negative when unknown)

 private:
  void report(bool final_report);
  std::string bar_line() const;
  std::string plain_line(bool final_report) const;

  std::string label_, unit_;
  int64_t total_ = 0, done_ = 0;
  std::ostream& out_;
  ProgressOptions options_;
  double start_s_ = 0, last_report_s_ = 0;
  std::string status_;
  size_t last_bar_length_ = 0;
  bool finished_ = false;
};

}  // namespace tl::app
