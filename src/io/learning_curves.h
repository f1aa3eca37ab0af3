// Learning curves of one or more runs (their metrics.csv) drawn by gnuplot
// into one PNG: what `disco plot` and the end of `disco train` show people.
#pragma once

#include <string>
#include <vector>

namespace disco {

struct CurveSettings {
  std::string x = "env_steps";   // a metrics.csv column
  std::string y = "avg_return";  // a metrics.csv column
  std::vector<std::string> more_y;      // further columns drawn from every run
  std::string file = "metrics.csv";     // the file read in each run folder
  std::string y_label;                  // axis label; empty = y
  int smooth = 1;                       // trailing moving average over this many rows
};

// Throws std::invalid_argument for a run without metrics or the columns, and
// std::runtime_error when gnuplot is missing or fails.
void plot_learning_curves(const std::vector<std::string>& run_dirs, const std::string& png_path,
                          const CurveSettings& settings = {});

}  // namespace disco
