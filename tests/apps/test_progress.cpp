// Progress reporting, driven by a hand-set clock: plain lines in non-terminal mode at the given
// interval, the bar redrawn in place in terminal mode, rates and ETAs worked out by hand.
#include <gtest/gtest.h>

#include <sstream>

#include "apps/progress.h"
#include "kernels/common/error.h"

namespace tl::app {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(Progress, FormatsDurations) {
  EXPECT_EQ(format_duration(0), "0:00");
  EXPECT_EQ(format_duration(7.4), "0:07");
  EXPECT_EQ(format_duration(754), "12:34");
  EXPECT_EQ(format_duration(3723), "1:02:03");
  EXPECT_EQ(format_duration(-1), "?");
}

TEST(Progress, PlainLinesAtIntervalsWithRateAndEta) {
  double now = 100.0;
  std::ostringstream out;
  {
    Progress progress("extract", 1000, "images", out,
                      {.interactive = false, .line_interval_s = 5.0, .clock = [&] { return now; }});
    now += 2;
    progress.advance(100);  // 2 s: before the interval, no line
    EXPECT_EQ(out.str(), "");
    now += 3;
    progress.advance(150);  // 5 s, 250 done: 50 images/s, 750 left -> ETA 15 s
    EXPECT_DOUBLE_EQ(progress.rate(), 50.0);
    EXPECT_DOUBLE_EQ(progress.eta_s(), 15.0);
    now += 1;
    progress.advance(50);  // 6 s: within 5 s of the last line
    now += 4;
    progress.set_status("loss 0.412");
    progress.advance(200);  // 10 s, 500 done
    now += 10;
    progress.advance(500);  // done at 20 s: the final line comes at once
  }
  const auto lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 3u) << out.str();
  EXPECT_EQ(lines[0], "extract: 250/1000 images (25%), 50.0 images/s, ETA 0:15");
  EXPECT_EQ(lines[1], "extract: 500/1000 images (50%), 50.0 images/s, ETA 0:10, loss 0.412");
  EXPECT_EQ(lines[2], "extract: 1000/1000 images (100%), 50.0 images/s, took 0:20, loss 0.412");
}

TEST(Progress, FinishesOnceEvenWhenDestroyedEarly) {
  double now = 0.0;
  std::ostringstream out;
  {
    Progress progress("eval", 10, "batches", out, {.interactive = false, .clock = [&] { return now; }});
    now = 4;
    progress.advance(4);
    progress.finish();
    progress.finish();
  }
  EXPECT_EQ(out.str(), "eval: 4/10 batches (40%), 1.0 batches/s, took 0:04\n");
}

TEST(Progress, TerminalBarRedrawsInPlace) {
  double now = 0.0;
  std::ostringstream out;
  {
    Progress progress(
        "epoch 1/3", 4, "batches", out,
        {.interactive = true, .redraw_interval_s = 0.1, .bar_width = 8, .clock = [&] { return now; }});
    now = 1;
    progress.advance(1);
    now = 2;
    progress.advance(1);
    now = 4;
    progress.advance(2);
  }
  const std::string text = out.str();
  EXPECT_EQ(text.find('\n'), text.size() - 1) << "one line, ended only when done: " << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\r'), 3);
  EXPECT_NE(text.find("\repoch 1/3  [##......]  1/4  25%  1.0 batches/s  ETA 0:03"), std::string::npos)
      << text;
  EXPECT_NE(text.find("\repoch 1/3  [########]  4/4  100%  1.0 batches/s  took 0:04\n"), std::string::npos)
      << text;
}

TEST(Progress, RejectsEmptyWork) {
  std::ostringstream out;
  EXPECT_THROW(Progress("x", 0, "images", out), Error);
}

}  // namespace
}  // namespace tl::app
