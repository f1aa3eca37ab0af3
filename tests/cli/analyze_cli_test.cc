// `disco analyze` through the binary, on a small trained Disco run: every
// analysis writes its CSV and PNG; bad input gives one clear line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "run_disco.h"
#include "scratch.h"

namespace {

namespace fs = std::filesystem;

using disco_test::contains;
using disco_test::Result;

Result run(const std::string& args) { return disco_test::run_disco(args); }

std::string first_line(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

// A Disco103 agent with a small network, trained for a few steps on Catch 5x5.
const fs::path& small_disco_run() {
  static const fs::path dir = [] {
    const auto root = disco_test::scratch_root("disco_analyze_cli_");
    const auto config = root / "small.json";
    std::ofstream(config) << R"({"net": {"dense": [32], "lstm_size": 8, "model_head_hiddens": [8]},)"
                          << R"( "batch_size": 4, "min_replay": 4, "log_every": 2})";
    const auto out = root / "run";
    const Result r = run("train --env 'catch(rows=5,columns=5)' --steps 4 --threads 1 --config " +
                         config.string() + " --out " + out.string());
    EXPECT_EQ(r.code, 0) << r.output;
    return out;
  }();
  return dir;
}

TEST(AnalyzeCli, TimelineWritesOneCsvRowPerStepAndAPicturePerEpisode) {
  const auto out = small_disco_run() / "a_timeline";
  const Result r = run("analyze timeline --run " + small_disco_run().string() + " --episodes 3 --out " + out.string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(first_line(out / "timeline.csv"), "episode,step,y_confidence,policy_entropy,value,reward");
  std::ifstream in(out / "timeline.csv");
  int rows = -1;
  for (std::string line; std::getline(in, line);) ++rows;
  EXPECT_EQ(rows, 3 * 4);  // Catch 5x5 episodes last 4 steps
  for (int e = 0; e < 3; ++e) EXPECT_TRUE(fs::exists(out / ("timeline_episode" + std::to_string(e) + ".png")));
}

TEST(AnalyzeCli, SaliencyProbeAndHorizonWriteTheirFiles) {
  const std::string run_dir = small_disco_run().string();
  Result r = run("analyze saliency --run " + run_dir + " --episodes 4 --out " + run_dir + "/s");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(first_line(small_disco_run() / "s" / "saliency.csv"), "output,row,column,value");
  EXPECT_TRUE(fs::exists(small_disco_run() / "s" / "saliency.png"));
  r = run("analyze probe --run " + run_dir + " --episodes 40 --out " + run_dir + "/p");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(first_line(small_disco_run() / "p" / "probe.csv"), "target,k,inputs,metric,score,train_states,test_states");
  r = run("analyze horizon --run " + run_dir + " --episodes 2 --projections 1 --out " + run_dir + "/h");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(contains(first_line(small_disco_run() / "h" / "horizon.csv"), "target,k,mean,trajectory0,trajectory1"));
  EXPECT_TRUE(fs::exists(small_disco_run() / "h" / "horizon.png"));
}

TEST(AnalyzeCli, RelianceEvaluatesTheRuleAgainstItsTwoAblations) {
  const auto out = small_disco_run() / "rel";
  const Result r = run("analyze reliance --run " + small_disco_run().string() + " --seeds 1 --jobs 2 --out " + out.string());
  ASSERT_EQ(r.code, 0) << r.output;
  std::ifstream in(out / "reliance" / "scores.csv");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* rule : {"disco103,", "disco103(predictions=off),", "disco103(bootstrap=off),"}) {
    EXPECT_TRUE(contains(all, std::string("\n") + rule)) << rule << " in " << all;
  }
  // The run's own settings (its small network) went to every run.
  std::ifstream cfg(out / "reliance_settings.json");
  std::string settings((std::istreambuf_iterator<char>(cfg)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(contains(settings, "\"lstm_size\": 8")) << settings;
}

TEST(AnalyzeCli, BadInputIsOneClearLine) {
  Result r = run("analyze nonsense --run " + small_disco_run().string());
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.output, "unknown analysis 'nonsense'")) << r.output;
  r = run("analyze timeline --run /nonexistent/run");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.output, "is not a disco train run with a checkpoint")) << r.output;
  r = run("analyze timeline --run " + small_disco_run().string() + " --rule ppo");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.output, "whose agent has other heads")) << r.output;
}

}  // namespace
