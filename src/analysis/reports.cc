#include "analysis/reports.h"

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <iomanip>
#include <set>
#include <sstream>

#include "io/atomic_file.h"
#include "io/gnuplot.h"

namespace disco {
namespace {

namespace fs = std::filesystem;

std::string path_in(const std::string& dir, const std::string& file) { return (fs::path(dir) / file).string(); }

std::string number(double x) {
  if (!std::isfinite(x)) return "";
  std::ostringstream o;
  o << std::setprecision(8) << x;
  return o.str();
}

// gnuplot reads "NaN" as a missing point.
std::string plot_number(double x) { return std::isfinite(x) ? number(x) : "NaN"; }

// gnuplot refuses a plot whose every point is missing: an empty panel instead.
std::string plot_or_empty(const std::string& plot, bool has_data) {
  if (has_data) return plot + "\n";
  return "set label 99 'no finite values' at graph 0.4, graph 0.5\nplot [1:2][1:2] 3 notitle\n"
         "unset label 99\n";
}

bool any_finite(const torch::Tensor& x) { return torch::isfinite(x).any().item<bool>(); }

}  // namespace

std::vector<std::string> write_timeline_report(const std::string& dir, const Timeline& tl,
                                               const std::vector<int64_t>& lengths) {
  fs::create_directories(dir);
  const auto y = tl.y_confidence.to(torch::kFloat64).contiguous(), h = tl.policy_entropy.to(torch::kFloat64).contiguous(),
             v = tl.value.to(torch::kFloat64).contiguous(), r = tl.reward.to(torch::kFloat64).contiguous();
  const int64_t e_count = static_cast<int64_t>(lengths.size());
  auto at = [&](const torch::Tensor& x, int64_t t, int64_t e) { return x.data_ptr<double>()[t * e_count + e]; };
  std::ostringstream csv;
  csv << "episode,step,y_confidence,policy_entropy,value,reward\n";
  std::vector<std::string> files = {path_in(dir, "timeline.csv")};
  for (int64_t e = 0; e < e_count; ++e) {
    std::ostringstream data;
    data << "$d << EOD\n";
    for (int64_t t = 0; t < lengths[e]; ++t) {
      csv << e << "," << t << "," << number(at(y, t, e)) << "," << number(at(h, t, e)) << ","
          << number(at(v, t, e)) << "," << number(at(r, t, e)) << "\n";
      data << t << " " << plot_number(at(y, t, e)) << " " << plot_number(at(h, t, e)) << " "
           << plot_number(at(v, t, e)) << " " << plot_number(at(r, t, e)) << "\n";
    }
    data << "EOD\n";
    const std::string png = path_in(dir, "timeline_episode" + std::to_string(e) + ".png");
    std::ostringstream s;
    s << "set terminal " << gnuplot_png_terminal(900, 900) << "\nset output " << gnuplot_quoted(png) << "\n"
      << data.str() << "set multiplot layout 4,1 title " << gnuplot_quoted("episode " + std::to_string(e))
      << "\nset grid\nunset key\nset lmargin 12\n"
      << "set ylabel 'y confidence'\n"
      << plot_or_empty("plot $d using 1:2 with linespoints lw 2", any_finite(y.select(1, e)))
      << "set ylabel 'policy entropy'\nplot $d using 1:3 with linespoints lw 2\n"
      << "set ylabel 'value'\n"
      << plot_or_empty("plot $d using 1:4 with linespoints lw 2", any_finite(v.select(1, e)))
      << "set ylabel 'reward'\nset xlabel 'step'\nplot $d using 1:5 with impulses lw 3\n"
      << "unset multiplot\n";
    run_gnuplot(s.str(), png);
    files.push_back(png);
  }
  write_file_atomically(files.front(), csv.str());
  return files;
}

std::vector<std::string> write_saliency_report(const std::string& dir,
                                               const std::map<std::string, torch::Tensor>& grids) {
  fs::create_directories(dir);
  std::ostringstream csv, data, plots;
  csv << "output,row,column,value\n";
  int i = 0;
  for (const auto& [name, grid_in] : grids) {
    const auto grid = grid_in.to(torch::kFloat64).contiguous();
    const int64_t rows = grid.size(0), cols = grid.size(1);
    data << "$m" << i << " << EOD\n";
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = 0; c < cols; ++c) {
        const double x = grid.data_ptr<double>()[r * cols + c];
        csv << name << "," << r << "," << c << "," << number(x) << "\n";
        data << (c ? " " : "") << plot_number(x);
      }
      data << "\n";
    }
    data << "EOD\n";
    plots << "set title " << gnuplot_quoted(name) << "\nplot $m" << i << " matrix with image\n";
    ++i;
  }
  const std::string png = path_in(dir, "saliency.png");
  const int n = std::max(1, i);
  std::ostringstream s;
  s << "set terminal " << gnuplot_png_terminal(300 * n, 340) << "\nset output " << gnuplot_quoted(png) << "\n"
    << data.str() << "set multiplot layout 1," << n << " title 'mean |d output / d observation|'\n"
    << "set yrange [] reverse\nset size ratio -1\nunset key\nset palette defined (0 'white', 1 'dark-red')\n"
    << plots.str() << "unset multiplot\n";
  run_gnuplot(s.str(), png);
  write_file_atomically(path_in(dir, "saliency.csv"), csv.str());
  return {path_in(dir, "saliency.csv"), png};
}

std::vector<std::string> write_probe_report(const std::string& dir, const std::vector<ProbeScore>& scores) {
  fs::create_directories(dir);
  std::ostringstream csv;
  csv << "target,k,inputs,metric,score,train_states,test_states\n";
  std::set<std::string> inputs;
  for (const auto& s : scores) {
    csv << s.target << "," << s.k << "," << s.inputs << "," << s.metric << "," << number(s.score) << ","
        << s.train_states << "," << s.test_states << "\n";
    inputs.insert(s.inputs);
  }
  std::ostringstream data, panels[2];
  int i = 0, drawn[2] = {0, 0};
  const char* targets[] = {"policy_entropy", "large_reward"};
  for (const auto& in : inputs) {
    for (int p = 0; p < 2; ++p) {
      data << "$d" << i << "_" << p << " << EOD\n";
      bool finite = false;
      for (const auto& s : scores) {
        if (s.inputs != in || s.target != targets[p]) continue;
        data << s.k << " " << plot_number(s.score) << "\n";
        finite = finite || std::isfinite(s.score);
      }
      data << "EOD\n";
      if (!finite) continue;  // e.g. no large reward among the held-out states
      panels[p] << (drawn[p]++ ? ", " : "plot ") << "$d" << i << "_" << p
                << " using 1:2 with linespoints lw 2 title " << gnuplot_quoted(in);
    }
    ++i;
  }
  const std::string png = path_in(dir, "probe.png");
  std::ostringstream s;
  s << "set terminal " << gnuplot_png_terminal(1100, 450) << "\nset output " << gnuplot_quoted(png) << "\n"
    << data.str() << "set multiplot layout 1,2\nset grid\nset logscale x 2\nset xlabel 'k (steps ahead)'\n"
    << "set key noenhanced\nset title 'policy entropy k steps ahead (held-out R^2)'\n"
    << plot_or_empty(panels[0].str(), drawn[0] > 0)
    << "set title 'reward > threshold within k steps (held-out AUC)'\n"
    << plot_or_empty(panels[1].str(), drawn[1] > 0) << "unset multiplot\n";
  run_gnuplot(s.str(), png);
  write_file_atomically(path_in(dir, "probe.csv"), csv.str());
  return {path_in(dir, "probe.csv"), png};
}

std::vector<std::string> write_horizon_report(const std::string& dir, const Horizon& h) {
  fs::create_directories(dir);
  std::ostringstream csv, data, panels;
  csv << "target,k,mean";
  const int64_t b_count = h.per_trajectory.begin()->second.size(0);
  for (int64_t b = 0; b < b_count; ++b) csv << ",trajectory" << b;
  csv << "\n";
  int i = 0;
  for (const auto& [target, per] : h.per_trajectory) {
    const auto m = h.mean.at(target).contiguous();
    const auto p = per.contiguous();
    data << "$h" << i << " << EOD\n";
    for (size_t ki = 0; ki < h.ks.size(); ++ki) {
      csv << target << "," << h.ks[ki] << "," << number(m.data_ptr<double>()[ki]);
      data << h.ks[ki] << " " << plot_number(m.data_ptr<double>()[ki]);
      for (int64_t b = 0; b < b_count; ++b) {
        const double x = p.data_ptr<double>()[b * p.size(1) + ki];
        csv << "," << number(x);
        data << " " << plot_number(x);
      }
      csv << "\n";
      data << "\n";
    }
    data << "EOD\n";
    panels << "set title " << gnuplot_quoted(std::string("target ") + target + " (hat)") << "\n";
    std::ostringstream plot;
    plot << "plot ";
    for (int64_t b = 0; b < b_count; ++b) {
      plot << "$h" << i << " using 1:" << (b + 3) << " with lines lc rgb '#c0c0c0' notitle, ";
    }
    plot << "$h" << i << " using 1:2 with linespoints lw 3 lc rgb 'dark-blue' title 'mean'";
    panels << plot_or_empty(plot.str(), (torch::isfinite(m) & (m > 0)).any().item<bool>());  // log scale
    ++i;
  }
  const std::string png = path_in(dir, "horizon.png");
  std::ostringstream s;
  s << "set terminal " << gnuplot_png_terminal(1200, 420) << "\nset output " << gnuplot_quoted(png) << "\n"
    << data.str() << "set multiplot layout 1," << std::max(1, i)
    << " title '|d target_t / d prediction_{t+k}| (Frobenius norm)'\nset grid\nset xlabel 'k'\n"
    << "set logscale y\nset key top right\n" << panels.str() << "unset multiplot\n";
  run_gnuplot(s.str(), png);
  write_file_atomically(path_in(dir, "horizon.csv"), csv.str());
  return {path_in(dir, "horizon.csv"), png};
}

}  // namespace disco
