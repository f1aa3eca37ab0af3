// `disco plot DIR... [--out FILE.png]`: learning curves of one or more runs
// (their metrics.csv, or meta_metrics.csv with --file) on one chart, drawn by
// gnuplot into a PNG.
#include <iostream>

#include "commands.h"
#include "io/learning_curves.h"

namespace disco::cli {

void add_plot_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("plot", "Draw learning curves of runs (metrics.csv) into a PNG");
  static std::vector<std::string> dirs;
  static std::string out = "learning_curves.png";
  static CurveSettings curve;
  cmd->add_option("dirs", dirs, "run folders written by `disco train`")->required();
  cmd->add_option("--out", out, "PNG file to write")->capture_default_str();
  cmd->add_option("--x", curve.x, "x column (env_steps, learner_step, elapsed_s)")
      ->capture_default_str();
  cmd->add_option("--y", curve.y, "y column (avg_return, success_rate, total_loss, ...)")
      ->capture_default_str();
  cmd->add_option("--file", curve.file,
                  "metrics file in each folder (meta_metrics.csv for `disco meta-train` runs, "
                  "with --x meta_step)")
      ->capture_default_str();
  cmd->add_option("--smooth", curve.smooth, "trailing moving average over N rows")
      ->capture_default_str();
  cmd->callback([]() {
    plot_learning_curves(dirs, out, curve);
    std::cout << "wrote " << out << "\n";
  });
}

}  // namespace disco::cli
