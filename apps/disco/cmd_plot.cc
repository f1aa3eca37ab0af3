// `disco plot DIR... [--out FILE.png]`: learning curves of one or more runs
// (their metrics.csv) on one chart, drawn by gnuplot into a PNG.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "io/metrics.h"

namespace disco::cli {
namespace {

std::string run_command(const std::string& command) {
  std::string out;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
    pclose(pipe);
  }
  return out;
}

// pngcairo where gnuplot has it (gnuplot-nox usually does), else libgd png.
std::string png_terminal() {
  const std::string terminals = run_command("gnuplot -e 'set terminal' 2>&1");
  if (terminals.empty()) throw std::runtime_error("gnuplot not found (install gnuplot-nox)");
  if (terminals.find("pngcairo") != std::string::npos) return "pngcairo size 900,560";
  if (terminals.find(" png ") != std::string::npos) return "png size 900,560";
  throw std::runtime_error("this gnuplot has no png terminal");
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

void add_plot_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("plot", "Draw learning curves of runs (metrics.csv) into a PNG");
  static std::vector<std::string> dirs;
  static std::string out = "learning_curves.png";
  static std::string x = "env_steps";
  static std::string y = "avg_return";
  cmd->add_option("dirs", dirs, "run folders written by `disco train`")->required();
  cmd->add_option("--out", out, "PNG file to write")->capture_default_str();
  cmd->add_option("--x", x, "x column (env_steps, learner_step, elapsed_s)")->capture_default_str();
  cmd->add_option("--y", y, "y column (avg_return, success_rate, total_loss, ...)")
      ->capture_default_str();
  cmd->callback([]() {
    std::ostringstream script;
    script << "set terminal " << png_terminal() << "\n"
           << "set output " << quoted(out) << "\n"
           << "set xlabel " << quoted(x) << " noenhanced\nset ylabel " << quoted(y)
           << " noenhanced\nset grid\nset key bottom right noenhanced\n";
    std::ostringstream plots;
    for (size_t i = 0; i < dirs.size(); ++i) {
      const auto table = read_metrics_csv((std::filesystem::path(dirs[i]) / "metrics.csv").string());
      const int xi = table.column(x), yi = table.column(y);
      if (xi < 0 || yi < 0) {
        throw std::invalid_argument("'" + dirs[i] + "/metrics.csv' has no column '" +
                                    (xi < 0 ? x : y) + "'");
      }
      script << "$run" << i << " << EOD\n";
      for (const auto& row : table.rows) {
        if (std::isfinite(row[xi]) && std::isfinite(row[yi])) script << row[xi] << " " << row[yi] << "\n";
      }
      script << "EOD\n";
      plots << (i ? ", " : "plot ") << "$run" << i << " using 1:2 with lines lw 2 title "
            << quoted(std::filesystem::path(dirs[i]).filename().string());
    }
    script << plots.str() << "\n";
    FILE* pipe = popen("gnuplot", "w");
    if (!pipe) throw std::runtime_error("cannot start gnuplot");
    const std::string text = script.str();
    fwrite(text.data(), 1, text.size(), pipe);
    if (pclose(pipe) != 0) throw std::runtime_error("gnuplot failed to draw " + out);
    std::cout << "wrote " << out << "\n";
  });
}

}  // namespace disco::cli
