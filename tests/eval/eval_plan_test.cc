// `disco eval`: suites, the frame budget against the trainer's own count,
// scoring from metrics, and the command end to end (resumable, refuses a
// folder of another plan).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <nlohmann/json.hpp>

#include "../cli/run_disco.h"
#include "../cli/scratch.h"
#include "agent/train_settings.h"
#include "eval/eval_plan.h"
#include "io/metrics.h"

namespace disco {
namespace {

namespace fs = std::filesystem;
using disco_test::contains;

fs::path scratch(const std::string& name) {
  const auto dir = disco_test::scratch_root("disco_eval_");
  fs::remove_all(dir / name);
  return dir / name;
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(EvalPlan, SuitesAndListsNameRegisteredEnvironments) {
  EXPECT_EQ(eval_environments("minatar").size(), 5u);
  EXPECT_EQ(eval_environments("gridworld").size(), 5u);
  EXPECT_FALSE(eval_environments("small").empty());
  const auto list = eval_environments("catch(rows=5,columns=5);deep_sea(size=4), minatar_breakout");
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0], "catch(rows=5,columns=5)");
  EXPECT_EQ(list[1], "deep_sea(size=4)");
  EXPECT_THROW(eval_environments("catch,nowhere"), std::invalid_argument);
  EXPECT_THROW(eval_environments(""), std::invalid_argument);
}

TEST(EvalPlan, FrameBudgetFollowsTheTrainingLoop) {
  TrainSettings replay = default_train_settings("actor_critic");
  replay.num_envs = 2;
  replay.rollout_length = 10;  // 20 frames a rollout
  replay.min_replay = 6;       // learning from the 3rd rollout on
  replay.epochs = 2;
  EXPECT_EQ(learner_steps_for_frames(replay, 60), 2);   // rollouts 1..3: one learning
  EXPECT_EQ(learner_steps_for_frames(replay, 79), 2);
  EXPECT_EQ(learner_steps_for_frames(replay, 80), 4);
  EXPECT_EQ(learner_steps_for_frames(replay, 10), 1);   // at least one step
  TrainSettings on_policy = default_train_settings("ppo");
  const int64_t per_rollout = int64_t{on_policy.rollout_length} * on_policy.num_envs;
  EXPECT_EQ(learner_steps_for_frames(on_policy, 3 * per_rollout + 1),
            3 * on_policy.epochs * on_policy.minibatches);
  EXPECT_THROW(learner_steps_for_frames(on_policy, 0), std::invalid_argument);
}

TEST(EvalPlan, FinalScoreWeighsTheLastWindowsByTheirEpisodes) {
  const auto dir = scratch("score");
  fs::create_directories(dir);
  // Windows end at 100, 200, ..., 1000 frames; the last 20% (frames > 800)
  // are the windows ending at 900 and 1000: (3 x 1.0 + 1 x -1.0) / 4 = 0.5.
  std::ofstream csv(dir / "metrics.csv");
  csv << "learner_step,env_steps,episodes,avg_return\n";
  for (int i = 1; i <= 8; ++i) csv << i << "," << 100 * i << "," << 2 * i << ",7\n";
  csv << "9,900,19,1.0\n10,1000,20,-1.0\n";
  csv.close();
  EXPECT_DOUBLE_EQ(final_score(dir.string(), 0.2), 0.5);
  EXPECT_DOUBLE_EQ(final_score(dir.string(), 0.05), -1.0);
  EXPECT_DOUBLE_EQ(final_score(dir.string(), 1.0), (8 * 2 * 7.0 + 3 - 1) / 20);
  EXPECT_THROW(final_score(dir.string(), 0), std::invalid_argument);
}

std::string eval_args(const fs::path& out, const std::string& rules = "actor_critic,ppo") {
  return "eval --rules " + rules + " --envs 'catch(rows=5,columns=5)' --seeds 2 --frames 3000 --jobs 2 "
         "--threads 1 --reps 500 --out " + out.string();
}

TEST(EvalCli, RunsTheGridAtEqualFramesAndWritesScoresAndStatistics) {
  const auto out = scratch("grid");
  const auto r = disco_test::run_disco(eval_args(out));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "4 runs of 3000 frames; 0 finished, 4 to run")) << r.output;
  for (const char* f : {"eval.json", "scores.csv", "stats.jsonl", "results.md"}) {
    EXPECT_TRUE(fs::exists(out / f)) << f;
  }
  // Every run stepped its environments at most 3000 times, and less than one
  // rollout fewer.
  for (const char* rule : {"actor_critic", "ppo"}) {
    const TrainSettings s = default_train_settings(rule);
    const auto t = read_metrics_csv(
        (out / "runs" / rule / "catch_rows=5,columns=5" / "seed1" / "metrics.csv").string());
    const double frames = t.rows.back()[t.column("env_steps")];
    EXPECT_LE(frames, 3000) << rule;
    EXPECT_GT(frames, 3000 - s.rollout_length * s.num_envs) << rule;
  }
  const std::string stats = read(out / "stats.jsonl");
  EXPECT_TRUE(contains(stats, "\"rule\":\"actor_critic\"")) << stats;
  EXPECT_TRUE(contains(stats, "\"probability_of_improvement\"")) << stats;
  EXPECT_TRUE(contains(read(out / "results.md"), "| ppo |"));
  // The report embeds the IQM bars and one learning-curve plot per environment, as PNGs.
  const std::string page = read(out / "report.md");
  for (const char* png : {"iqm.png", "curves_catch_rows=5,columns=5.png"}) {
    EXPECT_TRUE(contains(page, std::string("(") + png + ")")) << page;
    EXPECT_EQ(read(out / png).substr(0, 4), "\x89PNG") << png;
  }
  // `disco report` draws them again.
  fs::remove(out / "iqm.png");
  const auto redrawn = disco_test::run_disco("report --reps 500 " + out.string());
  ASSERT_EQ(redrawn.code, 0) << redrawn.output;
  EXPECT_TRUE(fs::exists(out / "iqm.png"));
  const auto nothing = disco_test::run_disco("report " + scratch("not_an_eval").string());
  EXPECT_EQ(nothing.code, 1);
  EXPECT_TRUE(contains(nothing.output, "holds no finished evaluation")) << nothing.output;

  // A second call has nothing to run; another plan in the same folder is refused.
  const auto again = disco_test::run_disco(eval_args(out));
  ASSERT_EQ(again.code, 0) << again.output;
  EXPECT_TRUE(contains(again.output, "4 finished, 0 to run")) << again.output;
  const auto other = disco_test::run_disco(eval_args(out, "actor_critic"));
  EXPECT_EQ(other.code, 2);
  EXPECT_TRUE(contains(other.output, "holds an evaluation with other rules")) << other.output;
}

// One actor-critic run on Catch 5x5 evaluated whole, and the same run left
// stopped by `disco train ... STOP_ARGS` (as a kill would leave it) in a
// second evaluation's folder, which eval then completes: its scores must be
// the whole run's. Returns the stopped run's folder and the second eval.
std::pair<fs::path, disco_test::Result> eval_after_a_stop(const std::string& name,
                                                          const std::string& stop_args) {
  const auto whole = scratch(name + "_whole"), cut = scratch(name + "_cut");
  const std::string args = " --rules actor_critic --envs 'catch(rows=5,columns=5)' --seeds 1 "
                           "--frames 3000 --threads 1 --reps 500 --out ";
  EXPECT_EQ(disco_test::run_disco("eval" + args + whole.string()).code, 0);
  const int64_t steps = learner_steps_for_frames(default_train_settings("actor_critic"), 3000);
  const auto dir = cut / "runs" / "actor_critic" / "catch_rows=5,columns=5" / "seed0";
  const auto stopped = disco_test::run_disco(
      "train --rule actor_critic --env 'catch(rows=5,columns=5)' --seed 0 --threads 1 --steps " +
      std::to_string(steps) + " " + stop_args + " --out " + dir.string());
  EXPECT_EQ(stopped.code, 0) << stopped.output;
  const auto r = disco_test::run_disco("eval" + args + cut.string());
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(read(whole / "scores.csv"), read(cut / "scores.csv"));
  return {dir, r};
}

TEST(EvalCli, AStoppedRunResumesToTheSameScore) {
  const auto [dir, r] = eval_after_a_stop("resumed", "--checkpoint-every 5 --stop-after 12");
  EXPECT_TRUE(contains(r.output, "0 finished, 1 to run")) << r.output;
  EXPECT_FALSE(contains(r.output, "restarting")) << r.output;
}

// A run killed before its first checkpoint has nothing to resume from: eval
// starts it again (disco train alone refuses a folder that holds a run).
TEST(EvalCli, ARunKilledBeforeItsFirstCheckpointStartsAgain) {
  const auto [dir, r] = eval_after_a_stop("restarted", "--log-every 1 --stop-after 4");
  EXPECT_TRUE(contains(r.output, "restarting " + dir.string() +
                                     " (stopped before its first checkpoint)")) << r.output;
}

// --grid: every configuration of every rule on the tuning environment with
// seeds 0..K-1, then each rule's best (by IQM there) on --envs with seeds
// K..; the report says which configuration each rule got.
TEST(EvalCli, GridTunesEachRuleThenEvaluatesItsBestWithFreshSeeds) {
  const auto out = scratch("tuned");
  const auto grid = out.parent_path() / "tuned_grid.json";
  std::ofstream(grid) << R"({"actor_critic": {"optimizer.learning_rate": [0.0005, 0.003]},
                            "ppo": {"optimizer.learning_rate": [0.00025, 0.001]}})";
  const std::string args =
      "eval --rules actor_critic,ppo --envs 'deep_sea(size=4)' --seeds 2 --frames 3000 --jobs 2 "
      "--threads 1 --reps 200 --grid " + grid.string() + " --tune-envs 'catch(rows=5,columns=5)' "
      "--tune-seeds 2 --out " + out.string();
  const auto r = disco_test::run_disco(args);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "tuning: 8 runs of 3000 frames; 0 finished, 8 to run")) << r.output;
  const auto tuning = nlohmann::json::parse(read(out / "tuning.json"));
  for (const std::string rule : {"actor_critic", "ppo"}) {
    const auto& t = tuning.at(rule);
    const auto& configs = t.at("configurations");
    ASSERT_EQ(configs.size(), 2u);
    // The chosen one has the highest IQM of the two.
    const int chosen = t.at("chosen").get<int>();
    EXPECT_GE(configs[chosen]["iqm"].get<double>(), configs[1 - chosen]["iqm"].get<double>());
    for (int c = 0; c < 2; ++c) {
      for (int seed = 0; seed < 2; ++seed) {
        EXPECT_TRUE(fs::exists(out / "tune" / ("c" + std::to_string(c)) / "runs" / rule /
                               "catch_rows=5,columns=5" / ("seed" + std::to_string(seed)) /
                               "metrics.csv"));
      }
    }
    // Evaluation seeds follow the tuning seeds, with the chosen settings.
    const double lr = configs[chosen]["settings"]["optimizer"]["learning_rate"].get<double>();
    for (int seed : {2, 3}) {
      const auto run = out / "runs" / rule / "deep_sea_size=4" / ("seed" + std::to_string(seed));
      const auto settings = nlohmann::json::parse(read(run / "settings.json"));
      EXPECT_DOUBLE_EQ(settings["optimizer"]["learning_rate"].get<double>(), lr) << run;
    }
    EXPECT_FALSE(fs::exists(out / "runs" / rule / "deep_sea_size=4" / "seed0"));
  }
  const std::string report = read(out / "report.md");
  EXPECT_TRUE(contains(report, "## Tuning")) << report;
  EXPECT_TRUE(contains(report, "optimizer.learning_rate=")) << report;
  // Rerun: nothing left to do in either phase; the choice stands.
  const auto again = disco_test::run_disco(args);
  ASSERT_EQ(again.code, 0) << again.output;
  EXPECT_TRUE(contains(again.output, "8 finished, 0 to run")) << again.output;
  EXPECT_TRUE(contains(again.output, "4 finished, 0 to run")) << again.output;
  EXPECT_EQ(nlohmann::json::parse(read(out / "tuning.json")), tuning);
}

// --preset gives each rule the preset's settings for its kind, under --config.
TEST(EvalCli, PresetSettingsReachEveryRun) {
  const auto out = scratch("preset");
  const auto r = disco_test::run_disco(
      "eval --rules ppo --envs 'catch(rows=5,columns=5)' --seeds 1 --frames 2000 --threads 1 "
      "--reps 100 --preset catch --out " + out.string());
  ASSERT_EQ(r.code, 0) << r.output;
  const auto settings = nlohmann::json::parse(
      read(out / "runs" / "ppo" / "catch_rows=5,columns=5" / "seed0" / "settings.json"));
  EXPECT_DOUBLE_EQ(settings["optimizer"]["learning_rate"].get<double>(), 1e-3);
  EXPECT_EQ(nlohmann::json::parse(read(out / "eval.json"))["preset"], "catch");
}

TEST(EvalCli, BadArgumentsAreOneClearLine) {
  const auto out = scratch("bad");
  const auto unequal_grid = scratch("unequal.json"), bad_key_grid = scratch("bad_key.json");
  std::ofstream(unequal_grid) << R"({"ppo": {"epochs": [1, 2]}, "actor_critic": {"epochs": [1]}})";
  std::ofstream(bad_key_grid) << R"({"ppo": {"no_such_setting": [1, 2]}})";
  for (const auto& [args, message] : std::vector<std::pair<std::string, std::string>>{
           {"--rules nope --envs small --seeds 1 --frames 100", "unknown rule 'nope'"},
           {"--rules ppo --envs bogus --seeds 1 --frames 100", "unknown environment 'bogus'"},
           {"--rules ppo --envs small --seeds 0 --frames 100", "--seeds must be positive"},
           {"--rules ppo --envs small --seeds 1 --frames -5", "--frames must be positive"},
           {"--rules ppo --envs small --seeds 1 --frames 100 --jobs 0", "--jobs must be positive"},
           {"--rules ppo --envs small --seeds 1 --frames 100 --threads -2",
            "--threads must not be negative"},
           {"--rules ppo --envs small --seeds 1 --frames 100 --tune-envs catch",
            "--grid and --tune-envs go together"},
           {"--rules ppo --envs small --seeds 1 --frames 100 --tune-seeds 3",
            "--tune-seeds needs --grid"},
           {"--rules ppo --envs small --seeds 1 --frames 100 --tune-seeds -1",
            "--tune-seeds must not be negative"},
           {"--rules ppo --envs small --seeds 1 --frames 100 --preset nowhere",
            "unknown preset 'nowhere'"},
           {"--rules ppo,actor_critic --envs small --seeds 1 --frames 100 --tune-envs catch --grid " +
                unequal_grid.string(),
            "different tuning budgets"},
           {"--rules ppo --envs small --seeds 1 --frames 100 --tune-envs catch --grid " +
                bad_key_grid.string(),
            "ppo: "}}) {
    const auto r = disco_test::run_disco("eval " + args + " --out " + out.string());
    EXPECT_EQ(r.code, 2) << args << "\n" << r.output;
    EXPECT_TRUE(contains(r.output, message)) << r.output;
    EXPECT_FALSE(fs::exists(out)) << "an error left files behind";
  }
}

}  // namespace
}  // namespace disco
