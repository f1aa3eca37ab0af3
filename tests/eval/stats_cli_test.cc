// `disco stats` through the binary: its JSON Lines and its one-line errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "../cli/run_disco.h"

namespace {

namespace fs = std::filesystem;
using disco_test::contains;
using disco_test::Result;

class StatsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("disco_stats_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }

  Result stats(const std::string& args) { return disco_test::run_disco("stats " + args); }

  fs::path dir_;
};

// Two rules x two tasks x three seeds; rule "good" beats "base" on every pair of task t1.
const char* kScores =
    "task,rule,seed,score,note\n"
    "t1,base,0,0.1,x\n"
    "t1,base,1,0.2,x\n"
    "t1,base,2,0.3,x\n"
    "t2,base,0,0.5,x\n"
    "t2,base,1,0.9,x\n"
    "t2,base,2,1.4,x\n"
    "t1,good,0,0.6,x\n"
    "t1,good,1,0.7,x\n"
    "t1,good,2,0.8,x\n"
    "t2,good,0,0.9,x\n"
    "t2,good,1,1.1,x\n"
    "t2,good,2,1.2,x\n";

std::vector<nlohmann::json> parse_lines(const std::string& output) {
  std::vector<nlohmann::json> out;
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) out.push_back(nlohmann::json::parse(line));
  return out;
}

TEST_F(StatsCli, PrintsOneLinePerRuleAndPerOrderedPair) {
  const Result r = stats("--scores " + write("s.csv", kScores) + " --reps 2000 --seed 1");
  ASSERT_EQ(r.code, 0) << r.output;
  const auto lines = parse_lines(r.output);
  ASSERT_EQ(lines.size(), 4u) << r.output;
  for (int i = 0; i < 2; ++i) {
    const auto& j = lines[i];
    for (const char* key :
         {"rule", "iqm", "iqm_ci_low", "iqm_ci_high", "mean", "mean_ci_low", "mean_ci_high",
          "median", "median_ci_low", "median_ci_high", "optimality_gap", "optimality_gap_ci_low",
          "optimality_gap_ci_high", "runs", "tasks"}) {
      EXPECT_TRUE(j.contains(key)) << key << " in " << j.dump();
    }
    EXPECT_EQ(j["runs"], 3);
    EXPECT_EQ(j["tasks"], 2);
    for (const char* m : {"iqm", "mean", "median", "optimality_gap"}) {
      const std::string name = m;
      EXPECT_LE(j[name + "_ci_low"].get<double>(), j[name].get<double>()) << name;
      EXPECT_GE(j[name + "_ci_high"].get<double>(), j[name].get<double>()) << name;
    }
  }
  // Rules in name order. base: sorted 0.1 0.2 0.3 0.5 0.9 1.4, IQM of the middle four = 0.475;
  // task means 0.2 and 0.9333..; gaps 0.9 0.8 0.7 0.5 0.1 0 -> 3.0 / 6.
  EXPECT_EQ(lines[0]["rule"], "base");
  EXPECT_NEAR(lines[0]["iqm"].get<double>(), 0.475, 1e-12);
  EXPECT_NEAR(lines[0]["mean"].get<double>(), (0.2 + 2.8 / 3) / 2, 1e-12);
  EXPECT_NEAR(lines[0]["median"].get<double>(), (0.2 + 2.8 / 3) / 2, 1e-12);
  EXPECT_NEAR(lines[0]["optimality_gap"].get<double>(), 0.5, 1e-12);
  EXPECT_EQ(lines[1]["rule"], "good");

  // good over base: t1 all 9 pairs won; t2: 0.9 ties 0.9 and beats 0.5 (1.5),
  // 1.1 and 1.2 beat 0.5 and 0.9 (2 each): 5.5 / 9.
  const auto& gb = lines[2]["rule_x"] == "good" ? lines[2] : lines[3];
  const auto& bg = lines[2]["rule_x"] == "good" ? lines[3] : lines[2];
  EXPECT_EQ(gb["rule_y"], "base");
  EXPECT_EQ(bg["rule_x"], "base");
  const double p = (1.0 + 5.5 / 9) / 2;
  EXPECT_NEAR(gb["probability_of_improvement"].get<double>(), p, 1e-12);
  EXPECT_NEAR(bg["probability_of_improvement"].get<double>(), 1 - p, 1e-12);
  EXPECT_NEAR(bg["probability_of_improvement_ci_low"].get<double>(),
              1 - gb["probability_of_improvement_ci_high"].get<double>(), 1e-12);
  EXPECT_LE(gb["probability_of_improvement_ci_low"].get<double>(), p);
  EXPECT_GE(gb["probability_of_improvement_ci_high"].get<double>(), p);
}

TEST_F(StatsCli, OneRulePrintsNoPairsAndSeedDecidesTheIntervals) {
  const std::string path = write(
      "s.csv", "rule,task,seed,score\na,t1,0,0.1\na,t1,1,0.9\na,t1,2,0.4\na,t2,0,2\na,t2,1,3\n");
  const Result a = stats("--scores " + path + " --reps 2000 --seed 3");
  const Result b = stats("--scores " + path + " --reps 2000 --seed 3");
  const Result c = stats("--scores " + path + " --reps 2000 --seed 4");
  ASSERT_EQ(a.code, 0) << a.output;
  EXPECT_EQ(parse_lines(a.output).size(), 1u);
  EXPECT_EQ(a.output, b.output);
  EXPECT_NE(a.output, c.output);
}

// Each rule's performance profile at the given thresholds, by hand from kScores:
//   base 0.1 0.2 0.3 0.5 0.9 1.4: above 0.25 four of six, above 0.5 two (0.5
//        is not above itself), above 1 one
//   good 0.6 0.7 0.8 0.9 1.1 1.2: above 0.25 and 0.5 all six, above 1 two
TEST_F(StatsCli, PerformanceProfilesAtTheGivenThresholds) {
  const Result r = stats("--scores " + write("s.csv", kScores) + " --reps 2000 --taus 0.25,0.5,1");
  ASSERT_EQ(r.code, 0) << r.output;
  const auto lines = parse_lines(r.output);
  ASSERT_EQ(lines.size(), 4u) << r.output;
  const std::vector<std::vector<double>> expected = {{4 / 6.0, 2 / 6.0, 1 / 6.0}, {1, 1, 2 / 6.0}};
  for (int rule = 0; rule < 2; ++rule) {
    const auto& p = lines[rule]["performance_profile"];
    EXPECT_EQ(p["tau"], nlohmann::json::parse("[0.25, 0.5, 1]")) << p.dump();
    for (int i = 0; i < 3; ++i) {
      EXPECT_NEAR(p["fraction"][i].get<double>(), expected[rule][i], 1e-12) << p.dump();
      EXPECT_LE(p["ci_low"][i].get<double>(), p["ci_high"][i].get<double>()) << p.dump();
    }
  }
  // good's runs are all above 0.5 whatever the resample: the band is [1, 1].
  EXPECT_EQ(lines[1]["performance_profile"]["ci_low"][1], 1.0);
  EXPECT_EQ(lines[1]["performance_profile"]["ci_high"][1], 1.0);
  // Without --taus: 101 thresholds from min(0, lowest) = 0 to max(1, highest) = 1.4.
  const auto fallback =
      parse_lines(stats("--scores " + write("s.csv", kScores) + " --reps 100").output);
  const auto& taus = fallback[0]["performance_profile"]["tau"];
  ASSERT_EQ(taus.size(), 101u);
  EXPECT_EQ(taus.front(), 0.0);
  EXPECT_EQ(taus.back(), 1.4);
}

// --curves: each rule's IQM at each checkpoint of frames, by hand:
//   base at 10: 0 0 0.1 0.2 0.3 0.4 -> (0 + 0.1 + 0.2 + 0.3) / 4 = 0.15
//   base at 20: every run 0.5 (seeds agree in each task): 0.5, interval [0.5, 0.5]
//   good at 20 (its only checkpoint): 0.2 0.5 0.6 0.7 0.9 1.0 -> 0.675
TEST_F(StatsCli, CurvesGiveEachRulesSampleEfficiency) {
  const std::string curves = write("c.csv",
                                   "rule,task,seed,frames,score\n"
                                   "base,t1,0,10,0\nbase,t1,1,10,0\nbase,t1,2,10,0.3\n"
                                   "base,t2,0,10,0.1\nbase,t2,1,10,0.2\nbase,t2,2,10,0.4\n"
                                   "base,t1,0,20,0.5\nbase,t1,1,20,0.5\nbase,t1,2,20,0.5\n"
                                   "base,t2,0,20,0.5\nbase,t2,1,20,0.5\nbase,t2,2,20,0.5\n"
                                   "good,t1,0,20,0.5\ngood,t1,1,20,0.6\ngood,t1,2,20,0.7\n"
                                   "good,t2,0,20,0.2\ngood,t2,1,20,0.9\ngood,t2,2,20,1.0\n");
  const Result r =
      stats("--scores " + write("s.csv", kScores) + " --curves " + curves + " --reps 2000");
  ASSERT_EQ(r.code, 0) << r.output;
  const auto lines = parse_lines(r.output);
  ASSERT_EQ(lines.size(), 4u) << r.output;
  const auto& base = lines[0]["sample_efficiency"];
  const auto& good = lines[1]["sample_efficiency"];
  EXPECT_EQ(base["frames"], nlohmann::json::parse("[10, 20]")) << base.dump();
  EXPECT_NEAR(base["iqm"][0].get<double>(), 0.15, 1e-12);
  EXPECT_NEAR(base["iqm"][1].get<double>(), 0.5, 1e-12);
  EXPECT_EQ(base["ci_low"][1], 0.5);
  EXPECT_EQ(base["ci_high"][1], 0.5);
  EXPECT_EQ(good["frames"], nlohmann::json::parse("[20]")) << good.dump();
  EXPECT_NEAR(good["iqm"][0].get<double>(), 0.675, 1e-12);
  EXPECT_LE(good["ci_low"][0].get<double>(), 0.675);
  EXPECT_GE(good["ci_high"][0].get<double>(), 0.675);
  // Without --curves there is no curve.
  EXPECT_FALSE(
      parse_lines(stats("--scores " + write("s.csv", kScores) + " --reps 100").output)[0].contains(
          "sample_efficiency"));
}

// Each bad input: exit code, and one line naming the problem.
TEST_F(StatsCli, BadInputGivesOneClearLine) {
  const auto check = [&](const std::string& args, int code, const std::string& part) {
    const Result r = stats(args);
    EXPECT_EQ(r.code, code) << args << "\n" << r.output;
    EXPECT_TRUE(contains(r.output, part)) << args << "\n" << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  };
  const std::string good = write("good.csv", kScores);
  check("--scores " + (dir_ / "missing.csv").string(), 1, "cannot open scores file");
  check("--scores " + write("nocol.csv", "rule,task,score\na,t,1\n"), 1, "no 'seed' column");
  check("--scores " + write("text.csv", "rule,task,seed,score\na,t,0,high\n"), 1,
        "score 'high' is not a number");
  check("--scores " + write("nan.csv", "rule,task,seed,score\na,t,0,NaN\n"), 1, "score is NaN");
  check("--scores " + write("empty.csv", "rule,task,seed,score\n"), 1, "no scores");
  check("--scores " + write("hole.csv", "rule,task,seed,score\na,t1,0,1\na,t2,0,1\nb,t1,0,1\n"), 1,
        "rule 'b' has no runs on task 't2'");
  check("--scores " + good + " --reps -5", 2, "--reps must be positive");
  check("--scores " + good + " --reps 0", 2, "--reps must be positive");
  EXPECT_EQ(stats("--reps 10").code, 2);  // --scores is required
  check("--scores " + good + " --normalise", 2, "no reference score for 't1'");
  check("--scores " + good + " --taus 0.5,nan", 1, "threshold nan is not finite");
  check("--scores " + good + " --curves " + (dir_ / "missing.csv").string(), 1,
        "cannot open curves file");
  check("--scores " + good + " --curves " +
            write("other.csv", "rule,task,seed,frames,score\nother,t1,0,10,1\n"),
        1, "rule 'other' has a curve but no final scores");
  check("--scores " + good + " --curves " +
            write("hole_c.csv",
                  "rule,task,seed,frames,score\nbase,t1,0,10,1\nbase,t2,0,10,1\n"
                  "good,t1,0,10,1\n"),
        1, "at 10 frames: rule 'good' has no runs on task 't2'");
}

// --normalise maps each environment's random return to 0 and its reference to 1.
TEST_F(StatsCli, NormaliseUsesTheReferenceTable) {
  // Catch 5x5: random -0.604, optimal 1.
  const std::string csv = write("catch.csv",
                                "rule,task,seed,score\n"
                                "r,\"catch(rows=5,columns=5)\",0,-0.604\n"
                                "r,\"catch(rows=5,columns=5)\",1,1\n"
                                "r,\"catch(rows=5,columns=5)\",2,0.198\n"
                                "r,\"catch(rows=5,columns=5)\",3,0.198\n");
  const auto raw = parse_lines(stats("--scores " + csv + " --reps 100").output);
  const auto normalised = parse_lines(stats("--scores " + csv + " --reps 100 --normalise").output);
  ASSERT_EQ(raw.size(), 1u);
  ASSERT_EQ(normalised.size(), 1u);
  EXPECT_NEAR(raw[0]["mean"].get<double>(), (-0.604 + 1 + 2 * 0.198) / 4, 1e-12);
  EXPECT_NEAR(normalised[0]["mean"].get<double>(), 0.5, 1e-12);
  EXPECT_NEAR(normalised[0]["iqm"].get<double>(), 0.5, 1e-12);
}

}  // namespace

namespace {

// The statistics against an independent NumPy computation on a larger table
// (tests/eval/stats_numpy_check.py says what is compared and how closely).
TEST_F(StatsCli, AgreesWithNumPyOnALargerTable) {
  if (std::system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") != 0) {
    GTEST_SKIP() << "Debian's python3-numpy is not installed";
  }
  const std::string cmd = std::string("/usr/bin/python3 ") + DISCO_SOURCE_DIR +
                          "/tests/eval/stats_numpy_check.py " + DISCO_BINARY + " " +
                          (dir_ / "numpy").string() + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) output.append(buf, n);
  EXPECT_EQ(pclose(pipe), 0) << output;
  EXPECT_TRUE(contains(output, "0 mismatches")) << output;
}

}  // namespace
