#include "io/learning_curves.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "io/gnuplot.h"
#include "io/metrics.h"

namespace disco {

void plot_learning_curves(const std::vector<std::string>& run_dirs, const std::string& png_path,
                          const CurveSettings& settings) {
  const std::string& x = settings.x;
  const std::string& y = settings.y;
  std::ostringstream data, plots;
  std::vector<std::string> ys = {y};
  ys.insert(ys.end(), settings.more_y.begin(), settings.more_y.end());
  int curve = 0;
  for (size_t i = 0; i < run_dirs.size(); ++i) {
    const auto path = (std::filesystem::path(run_dirs[i]) / settings.file).string();
    const auto table = read_metrics_csv(path);
    const std::string run =
        std::filesystem::path(run_dirs[i]).lexically_normal().filename().string();
    for (const auto& column : ys) {
      const int xi = table.column(x), yi = table.column(column);
      if (xi < 0 || yi < 0) {
        throw std::invalid_argument("'" + path + "' has no column '" + (xi < 0 ? x : column) + "'");
      }
      data << "$run" << curve << " << EOD\n";
      std::vector<double> window;  // the last `smooth` finite values
      for (const auto& row : table.rows) {
        if (!std::isfinite(row[xi]) || !std::isfinite(row[yi])) continue;
        window.push_back(row[yi]);
        if (static_cast<int>(window.size()) > std::max(1, settings.smooth))
          window.erase(window.begin());
        double mean = 0;
        for (double v : window) mean += v / static_cast<double>(window.size());
        data << row[xi] << " " << mean << "\n";
      }
      data << "EOD\n";
      std::string title = run.empty() ? run_dirs[i] : run;
      if (ys.size() > 1) title = run_dirs.size() > 1 ? title + " " + column : column;
      plots << (curve ? ", " : "plot ") << "$run" << curve << " using 1:2 with lines lw 2 title "
            << gnuplot_quoted(title);
      ++curve;
    }
  }
  std::ostringstream script;
  script << "set terminal " << gnuplot_png_terminal() << "\n"
         << "set output " << gnuplot_quoted(png_path) << "\n"
         << "set xlabel " << gnuplot_quoted(x) << " noenhanced\nset ylabel "
         << gnuplot_quoted(settings.y_label.empty() ? y : settings.y_label)
         << " noenhanced\nset grid\nset key bottom right noenhanced\n"
         << data.str() << plots.str() << "\n";
  run_gnuplot(script.str(), png_path);
}

}  // namespace disco
