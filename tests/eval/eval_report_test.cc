// The evaluation report's performance profiles and sample-efficiency curve
// (src/eval/eval_report.h): on a hand-made evaluation folder whose runs'
// learning curves are known, the PNG and CSV files, their numbers, and the
// same numbers from `disco stats --curves`.
#include "eval/eval_report.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "../cli/run_disco.h"
#include "../cli/scratch.h"

namespace disco {
namespace {

namespace fs = std::filesystem;
using disco_test::contains;

std::string read(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

// rows[rule][x] = {y, ci_low, ci_high} of a CSV rule,x,y,ci_low,ci_high.
std::map<std::string, std::map<double, std::vector<double>>> curve_rows(const std::string& csv) {
  std::map<std::string, std::map<double, std::vector<double>>> rows;
  const auto all = lines(csv);
  for (size_t i = 1; i < all.size(); ++i) {
    std::istringstream in(all[i]);
    std::string rule, field;
    std::getline(in, rule, ',');
    std::vector<double> v;
    while (std::getline(in, field, ',')) v.push_back(std::stod(field));
    rows[rule][v.at(0)] = {v.at(1), v.at(2), v.at(3)};
  }
  return rows;
}

// Catch 5x5 (random -0.604, optimal 1: a return r normalises to
// (r + 0.604) / 1.604): rules a and b, seeds 0 and 1, 400 frames, so the
// report's 40 windows are 10 frames wide. Each run logs every 10 frames, one
// episode per row:
//   a seed 0  return -0.604 (normalised 0) up to 200 frames, then 1 (1)
//   a seed 1  no episode before 30 frames, then 0.198 (0.5)
//   b seeds   0.198 (0.5) throughout
fs::path make_evaluation() {
  const fs::path dir = disco_test::scratch_root("disco_eval_report_") / "eval";
  fs::remove_all(dir);
  const std::string env = "catch(rows=5,columns=5)";
  fs::create_directories(dir);
  std::ofstream(dir / "eval.json")
      << R"({"rules": ["a", "b"], "envs": [")" << env
      << R"("], "seeds": 2, "frames": 400, "learner_steps": {"a": 40, "b": 40},)"
      << R"( "score_fraction": 0.1})";
  const auto run = [&](const std::string& rule, int seed, auto return_at) {
    const fs::path run_dir =
        dir / "runs" / rule / "catch_rows=5,columns=5" / ("seed" + std::to_string(seed));
    fs::create_directories(run_dir);
    std::ofstream csv(run_dir / "metrics.csv");
    csv << "learner_step,env_steps,episodes,avg_return\n";
    int episodes = 0;
    for (int step = 1; step <= 40; ++step) {
      const double r = return_at(10 * step);
      if (r == r) ++episodes;  // NaN: no episode ended in this row
      csv << step << "," << 10 * step << "," << episodes << "," << (r == r ? r : 0) << "\n";
    }
  };
  const double none = std::numeric_limits<double>::quiet_NaN();
  run("a", 0, [](int frames) { return frames <= 200 ? -0.604 : 1.0; });
  run("a", 1, [&](int frames) { return frames < 30 ? none : 0.198; });
  run("b", 0, [](int) { return 0.198; });
  run("b", 1, [](int) { return 0.198; });
  std::ofstream(dir / "scores.csv") << "rule,task,seed,score\n"
                                    << "a,\"" << env << "\",0,1\n"
                                    << "a,\"" << env << "\",1,0.198\n"
                                    << "b,\"" << env << "\",0,0.198\n"
                                    << "b,\"" << env << "\",1,0.198\n";
  return dir;
}

TEST(EvalReport, WritesPerformanceProfilesAndSampleEfficiencyAsPngAndCsv) {
  const fs::path dir = make_evaluation();
  BootstrapSettings settings;
  settings.reps = 2000;
  write_eval_report(dir.string(), settings);

  const std::string page = read(dir / "report.md");
  for (const char* png : {"performance_profile.png", "sample_efficiency.png"}) {
    EXPECT_TRUE(contains(page, std::string("(") + png + ")")) << page;
    EXPECT_EQ(read(dir / png).substr(0, 4), "\x89PNG") << png;
  }

  // Profiles: final normalised scores a {1, 0.5}, b {0.5, 0.5}; 101 thresholds
  // from 0 to 1 in steps of 0.01.
  const std::string profile_csv = read(dir / "performance_profile.csv");
  EXPECT_EQ(lines(profile_csv).at(0), "rule,tau,fraction,ci_low,ci_high");
  EXPECT_EQ(lines(profile_csv).size(), 1u + 2 * 101);
  const auto profile = curve_rows(profile_csv);
  // Above 0.25 every run of both rules; above 0.75 a's run at 1 (of two) and
  // none of b's. b's seeds agree, so its band is the point; a's band at 0.75
  // is that of two runs {0.5, 1}: [0, 1].
  const auto expect_row = [](const std::vector<double>& row, double y, double low, double high) {
    ASSERT_EQ(row.size(), 3u);
    EXPECT_NEAR(row[0], y, 1e-9);
    EXPECT_NEAR(row[1], low, 1e-9);
    EXPECT_NEAR(row[2], high, 1e-9);
  };
  expect_row(profile.at("a").at(0.25), 1, 1, 1);
  expect_row(profile.at("a").at(0.75), 0.5, 0, 1);
  expect_row(profile.at("b").at(0.25), 1, 1, 1);
  expect_row(profile.at("b").at(0.75), 0, 0, 0);

  // Sample efficiency at the window ends 10, 20, ..., 400. Rule a starts at
  // 30 frames (its seed 1 has no return before); at 200 its normalised runs
  // are {0, 0.5}: IQM (two runs, none dropped) 0.25, interval [0, 0.5]; from
  // 210 on {1, 0.5}: 0.75, [0.5, 1]. Rule b: 0.5 everywhere, zero width.
  const std::string efficiency_csv = read(dir / "sample_efficiency.csv");
  EXPECT_EQ(lines(efficiency_csv).at(0), "rule,frames,iqm,ci_low,ci_high");
  const auto efficiency = curve_rows(efficiency_csv);
  EXPECT_EQ(efficiency.at("a").size(), 38u);
  EXPECT_EQ(efficiency.at("a").begin()->first, 30);
  EXPECT_EQ(efficiency.at("b").size(), 40u);
  EXPECT_EQ(efficiency.at("b").begin()->first, 10);
  expect_row(efficiency.at("a").at(200), 0.25, 0, 0.5);
  expect_row(efficiency.at("a").at(210), 0.75, 0.5, 1);
  expect_row(efficiency.at("a").at(400), 0.75, 0.5, 1);
  for (const auto& [frames, row] : efficiency.at("b")) expect_row(row, 0.5, 0.5, 0.5);

  // The runs' values behind it: 38 checkpoints x 2 runs of a, 40 x 2 of b.
  const auto curve_lines = lines(read(dir / "learning_curves.csv"));
  EXPECT_EQ(curve_lines.at(0), "rule,task,seed,frames,score");
  EXPECT_EQ(curve_lines.size(), 1u + 38 * 2 + 40 * 2);

  // stats.jsonl has both, and `disco stats` on the folder's tables prints it again.
  const std::string jsonl = read(dir / "stats.jsonl");
  EXPECT_TRUE(contains(jsonl, "\"performance_profile\":{\"tau\":[")) << jsonl;
  EXPECT_TRUE(contains(jsonl, "\"sample_efficiency\":{\"frames\":[")) << jsonl;
  const auto stats =
      disco_test::run_disco("stats --scores " + (dir / "scores.csv").string() + " --curves " +
                            (dir / "learning_curves.csv").string() + " --normalise --reps 2000");
  ASSERT_EQ(stats.code, 0) << stats.output;
  EXPECT_EQ(stats.output, jsonl);
}

}  // namespace
}  // namespace disco
