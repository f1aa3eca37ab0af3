// `disco train` and `disco plot` through the binary: bad input gives one
// clear line and a non-zero exit; runs are reproducible and resumable bit
// for bit.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "agent/train_presets.h"
#include "agent/train_settings.h"
#include "io/metrics.h"
#include "io/npz_tensors.h"
#include "run_disco.h"
#include "scratch.h"

namespace {

namespace fs = std::filesystem;

using disco_test::contains;
using disco_test::Result;

Result run(const std::string& args) { return disco_test::run_disco(args); }

fs::path scratch(const std::string& name) {
  const auto dir = disco_test::scratch_root("disco_train_cli_");
  fs::remove_all(dir / name);
  return dir / name;
}

// A small, fast actor-critic run on Catch 5x5, one thread.
const std::string kSmall =
    "train --rule actor_critic --env 'catch(rows=5,columns=5)' --threads 1 --log-every 5 ";

void expect_same_params(const fs::path& a, const fs::path& b) {
  const auto pa = disco::load_tensors((a / "checkpoint.npz").string());
  const auto pb = disco::load_tensors((b / "checkpoint.npz").string());
  int compared = 0;
  for (const auto& [name, t] : pa) {
    if (name.rfind("agent/", 0) != 0 && name.rfind("opt/", 0) != 0) continue;
    ASSERT_TRUE(pb.count(name)) << name;
    EXPECT_TRUE(torch::equal(t, pb.at(name))) << name;
    ++compared;
  }
  EXPECT_GT(compared, 10);
}

int line_count(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) n += !line.empty();
  return n;
}

TEST(TrainCli, HelpSaysStepsAreLearnerSteps) {
  const Result r = run("train --help");
  EXPECT_EQ(r.code, 0);
  EXPECT_TRUE(contains(r.output, "LEARNER steps")) << r.output;
  EXPECT_TRUE(contains(r.output, "ppo"));
}

TEST(TrainCli, BadInputGivesOneClearLine) {
  const auto out = scratch("bad");
  struct Case {
    std::string args, says;
  };
  const std::vector<Case> cases = {
      {"train --rule sarsa --steps 5 --out " + out.string(), "unknown rule 'sarsa'"},
      {"train --rule actor_critic --env nowhere --steps 5 --out " + out.string(), "nowhere"},
      {"train --rule actor_critic --steps 0 --out " + out.string(), "--steps must be positive"},
      {"train --rule actor_critic --steps -3 --out " + out.string(), "--steps must be positive"},
      {"train --rule actor_critic --steps 5 --threads -2 --out " + out.string(),
       "--threads must not be negative"},
      {"train --rule actor_critic --config /no/such.json --out " + out.string(), "/no/such.json"},
      {"train --rule /no/such_rule.npz --steps 5 --out " + out.string(), "/no/such_rule.npz"},
      {"train --rule " + std::string(DISCO_SOURCE_DIR) + "/../shared/weights/NOTICE.md.npz --steps 5",
       "NOTICE.md.npz"},
  };
  for (const auto& c : cases) {
    const Result r = run(c.args);
    EXPECT_NE(r.code, 0) << c.args;
    EXPECT_TRUE(contains(r.output, c.says)) << c.args << "\n" << r.output;
    EXPECT_LE(std::count(r.output.begin(), r.output.end(), '\n'), 2) << r.output;
    EXPECT_FALSE(fs::exists(out / "settings.json")) << c.args;
  }
}

TEST(TrainCli, RuleFileWithWrongTensorsIsRejected) {
  // An .npz that is readable but is not a Disco rule.
  const auto file = scratch("wrong_rule.npz");
  disco::save_tensors(file.string(), {{"w", torch::zeros({3})}});
  const Result r = run("train --rule " + file.string() + " --steps 5 --out " +
                       scratch("wrong_rule_run").string());
  EXPECT_NE(r.code, 0);
  EXPECT_TRUE(contains(r.output, "error")) << r.output;
}

TEST(TrainCli, UnknownConfigKeyIsAnError) {
  const auto cfg = scratch("typo.json");
  std::ofstream(cfg) << R"({"learnin_rate": 0.1})";
  const Result r = run(kSmall + "--steps 5 --config " + cfg.string() + " --out " +
                       scratch("typo_run").string());
  EXPECT_NE(r.code, 0);
  EXPECT_TRUE(contains(r.output, "learnin_rate")) << r.output;
}

TEST(TrainCli, ExistingRunIsNeverOverwritten) {
  const auto out = scratch("existing");
  ASSERT_EQ(run(kSmall + "--steps 2 --out " + out.string()).code, 0);
  const auto before = fs::last_write_time(out / "checkpoint.npz");
  const Result again = run(kSmall + "--steps 2 --out " + out.string());
  EXPECT_NE(again.code, 0);
  EXPECT_TRUE(contains(again.output, "already holds a run")) << again.output;
  EXPECT_EQ(fs::last_write_time(out / "checkpoint.npz"), before);
}

TEST(TrainCli, SameSeedSameParameters) {
  const auto a = scratch("same_a"), b = scratch("same_b");
  const Result first = run(kSmall + "--steps 12 --seed 3 --out " + a.string());
  ASSERT_EQ(first.code, 0) << first.output;
  ASSERT_EQ(run(kSmall + "--steps 12 --seed 3 --out " + b.string()).code, 0);
  expect_same_params(a, b);
  // The run ends by saying where its metrics and learning curve are.
  EXPECT_TRUE(contains(first.output, "metrics: " + a.string() + "/metrics.csv")) << first.output;
  EXPECT_TRUE(contains(first.output, "learning curve: " + a.string() + "/learning_curve.png"));
  EXPECT_GT(fs::file_size(a / "learning_curve.png"), 1000u);
  EXPECT_EQ(line_count(a / "metrics.csv"), 1 + 12 / 5 + 1);  // header, steps 5, 10, 12
  EXPECT_EQ(line_count(a / "metrics.jsonl"), 12 / 5 + 1);
}

TEST(TrainCli, StoppedAndResumedRunMatchesUninterruptedRun) {
  const auto whole = scratch("whole"), cut = scratch("cut");
  ASSERT_EQ(run(kSmall + "--steps 30 --checkpoint-every 10 --out " + whole.string()).code, 0);
  // Stops after 17 steps without a final checkpoint: resumes from step 10.
  ASSERT_EQ(run(kSmall + "--steps 30 --checkpoint-every 10 --stop-after 17 --out " + cut.string()).code, 0);
  const Result resumed = run("train --threads 1 --resume " + cut.string());
  ASSERT_EQ(resumed.code, 0) << resumed.output;
  EXPECT_TRUE(contains(resumed.output, "learner step 10")) << resumed.output;
  expect_same_params(whole, cut);
  // Rows logged after the checkpoint were dropped and written again once.
  EXPECT_EQ(line_count(cut / "metrics.csv"), line_count(whole / "metrics.csv"));
}

// Crafter's achievements reach the metrics through the environment API: each
// window's success rate of each achievement and the Crafter score of those
// rates; a resumed run logs the same rows, the window counts coming back
// from the checkpoint.
TEST(TrainCli, CrafterRunsLogAchievementRatesAndResumeThem) {
  const auto whole = scratch("crafter_whole"), cut = scratch("crafter_cut");
  const std::string args =
      "train --rule actor_critic --env 'crafter(length=30)' --threads 1 --steps 12 "
      "--log-every 4 --checkpoint-every 2 --out ";
  ASSERT_EQ(run(args + whole.string()).code, 0);
  ASSERT_EQ(run(args + cut.string() + " --stop-after 3").code, 0);  // mid-window, after step 2
  ASSERT_EQ(run("train --threads 1 --resume " + cut.string()).code, 0);
  const auto t = disco::read_metrics_csv((whole / "metrics.csv").string());
  const auto u = disco::read_metrics_csv((cut / "metrics.csv").string());
  int achievements = 0;
  for (const auto& c : t.columns) achievements += c.rfind("achievement/", 0) == 0;
  ASSERT_EQ(achievements, 22);
  const int episodes = t.column("episodes"), score = t.column("crafter_score");
  ASSERT_GE(score, 0);
  ASSERT_EQ(t.rows.size(), 3u);
  double previous = 0, unlocked = 0;
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const double ended = t.rows[r][episodes] - previous;
    previous = t.rows[r][episodes];
    ASSERT_GT(ended, 0) << "30-step episodes end in every window";
    double log_sum = 0;
    for (size_t c = 0; c < t.columns.size(); ++c) {
      if (t.columns[c].rfind("achievement/", 0) != 0) continue;
      const double rate = t.rows[r][c];
      EXPECT_NEAR(rate * ended, std::round(rate * ended), 1e-6) << t.columns[c];  // CSV digits
      log_sum += std::log1p(100 * rate);
      unlocked += rate * ended;
      EXPECT_DOUBLE_EQ(u.rows[r][c], rate) << t.columns[c] << " after resuming";
    }
    EXPECT_NEAR(t.rows[r][score], std::expm1(log_sum / 22), 1e-6);
  }
  EXPECT_GT(unlocked, 0) << "random-ish play unlocks something";
  // Catch has no achievements: no such columns.
  const auto plain = scratch("catch_plain");
  ASSERT_EQ(run(kSmall + "--steps 5 --out " + plain.string()).code, 0);
  const auto c = disco::read_metrics_csv((plain / "metrics.csv").string());
  EXPECT_LT(c.column("crafter_score"), 0);
  EXPECT_LT(c.column("achievement/collect_wood"), 0);
}

// Every tensor of two checkpoints: parameters, optimiser moments, the rule's
// meta-state (target parameters, meta-RNN state, EMAs), replay, actors and RNGs;
// all but the wall-clock times.
void expect_same_state(const fs::path& a, const fs::path& b) {
  const auto pa = disco::load_tensors((a / "checkpoint.npz").string());
  const auto pb = disco::load_tensors((b / "checkpoint.npz").string());
  EXPECT_EQ(pa.size(), pb.size());
  int meta_state = 0;
  for (const auto& [name, t] : pa) {
    if (name == "trainer/times") continue;
    ASSERT_TRUE(pb.count(name)) << name;
    EXPECT_TRUE(torch::equal(t, pb.at(name))) << name;
    meta_state += name.find("target_params/") != std::string::npos ||
                  name.find("meta_rnn/") != std::string::npos ||
                  name.find("_ema/") != std::string::npos;
  }
  EXPECT_GT(meta_state, 10) << "the checkpoints hold no Disco meta-state";
}

// Disco103 with a small network: a run is a function of its seed, and a
// stopped and resumed run ends in exactly the state of an uninterrupted one.
TEST(TrainCli, Disco103RunsAreReproducibleAndResumeExactly) {
  const auto cfg = scratch("small_disco.json");
  std::ofstream(cfg) << R"({"net": {"dense": [32], "lstm_size": 16, "model_head_hiddens": [16]},
                            "num_envs": 4, "rollout_length": 6, "batch_size": 4, "min_replay": 4})";
  const std::string args = "train --rule disco103 --env 'catch(rows=5,columns=5)' --threads 1 "
                           "--log-every 5 --steps 14 --checkpoint-every 5 --config " +
                           cfg.string() + " --weights " + std::string(DISCO_SOURCE_DIR) +
                           "/../shared/weights/disco_103.npz --out ";
  const auto a = scratch("disco_a"), b = scratch("disco_b"), cut = scratch("disco_cut");
  const Result first = run(args + a.string());
  ASSERT_EQ(first.code, 0) << first.output;
  ASSERT_EQ(run(args + b.string()).code, 0);
  expect_same_state(a, b);
  ASSERT_EQ(run(args + cut.string() + " --stop-after 8").code, 0);  // resumes from step 5
  const Result resumed = run("train --threads 1 --resume " + cut.string() + " --weights " +
                             std::string(DISCO_SOURCE_DIR) + "/../shared/weights/disco_103.npz");
  ASSERT_EQ(resumed.code, 0) << resumed.output;
  expect_same_state(a, cut);
}

TEST(TrainCli, TheRunIsTheSameForEveryThreadCount) {
  // The learner's blocks are fixed by the problem (core/thread_plan.h); the
  // threads only run them: Disco103 with blocks of time steps, trajectories
  // and the meta-network, and PPO, on 1, 2 and 3 threads.
  const auto cfg = scratch("threads_disco.json");
  std::ofstream(cfg) << R"({"net": {"dense": [32], "lstm_size": 16, "model_head_hiddens": [16]},
                            "num_envs": 8, "rollout_length": 6, "batch_size": 8, "min_replay": 8})";
  const std::string weights =
      " --weights " + std::string(DISCO_SOURCE_DIR) + "/../shared/weights/disco_103.npz";
  for (const std::string rule : {"disco103", "ppo"}) {
    std::vector<fs::path> runs;
    for (const int threads : {1, 2, 3}) {
      runs.push_back(scratch("threads_" + rule + std::to_string(threads)));
      const std::string config = rule == "disco103" ? " --config " + cfg.string() + weights : "";
      const Result r = run("train --rule " + rule + " --env 'catch(rows=5,columns=5)' --steps 6 " +
                           "--threads " + std::to_string(threads) + config + " --out " +
                           runs.back().string());
      ASSERT_EQ(r.code, 0) << r.output;
    }
    expect_same_params(runs[0], runs[1]);
    expect_same_params(runs[0], runs[2]);
  }
}

TEST(TrainCli, KilledRunResumesToTheSameParameters) {
  const auto whole = scratch("kill_whole"), cut = scratch("kill_cut");
  ASSERT_EQ(run(kSmall + "--steps 60 --checkpoint-every 10 --out " + whole.string()).code, 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string cmd = std::string(DISCO_BINARY) + " " + kSmall +
                            "--steps 60 --checkpoint-every 10 --out " + cut.string() +
                            " >/dev/null 2>&1";
    execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Kill -9 as soon as the first checkpoint exists (or the run ended).
  for (int i = 0; i < 6000 && !fs::exists(cut / "checkpoint.npz"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(fs::exists(cut / "checkpoint.npz"));
  const Result resumed = run("train --threads 1 --resume " + cut.string());
  ASSERT_EQ(resumed.code, 0) << resumed.output;
  expect_same_params(whole, cut);
}

TEST(TrainCli, FullDiskDuringACheckpointKeepsThePreviousOneAndTheRunResumes) {
  const auto whole = scratch("disk_whole"), cut = scratch("disk_cut");
  ASSERT_EQ(run(kSmall + "--steps 20 --checkpoint-every 10 --out " + whole.string()).code, 0);
  ASSERT_EQ(run(kSmall + "--steps 20 --checkpoint-every 10 --stop-after 15 --out " + cut.string()).code, 0);
  const auto ckpt = cut / "checkpoint.npz";
  auto bytes = [](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string at_step_10 = bytes(ckpt);
  // Resumed where the checkpoint no longer fits: the metrics rows still do.
  const Result full = disco_test::run_disco_on_a_small_disk(
      "train --threads 1 --resume " + cut.string(), static_cast<long long>(at_step_10.size() / 2));
  EXPECT_NE(full.code, 0);
  EXPECT_TRUE(contains(full.output, "checkpoint.npz")) << full.output;
  EXPECT_TRUE(contains(full.output, "File too large")) << full.output;  // the system's reason
  EXPECT_EQ(bytes(ckpt), at_step_10);
  for (const auto& f : fs::directory_iterator(cut)) {
    EXPECT_EQ(f.path().filename().string().find(".tmp."), std::string::npos) << f.path();
  }
  // With room again, the run resumes from step 10 and ends as the uninterrupted one.
  const Result resumed = run("train --threads 1 --resume " + cut.string());
  ASSERT_EQ(resumed.code, 0) << resumed.output;
  EXPECT_TRUE(contains(resumed.output, "learner step 10")) << resumed.output;
  expect_same_params(whole, cut);
  EXPECT_EQ(line_count(cut / "metrics.csv"), line_count(whole / "metrics.csv"));
}

TEST(TrainCli, ResumeRejectsOtherSettings) {
  const auto out = scratch("resume_opts");
  ASSERT_EQ(run(kSmall + "--steps 2 --out " + out.string()).code, 0);
  const Result r = run("train --resume " + out.string() + " --lr 0.5");
  EXPECT_NE(r.code, 0);
  EXPECT_TRUE(contains(r.output, "--lr")) << r.output;
  EXPECT_NE(run("train --resume " + scratch("nothing_here").string()).code, 0);
}

// --preset applies its settings for the rule's kind under --config and the
// command line; an unknown preset names the known ones; a resumed run keeps
// its settings.
TEST(TrainCli, PresetSetsTheRulesSettingsUnderConfigAndFlags) {
  const auto out = scratch("preset");
  ASSERT_EQ(run(kSmall + "--steps 2 --preset catch --out " + out.string()).code, 0);
  std::ifstream in(out / "settings.json");
  const auto settings = nlohmann::json::parse(in);
  EXPECT_DOUBLE_EQ(settings["optimizer"]["learning_rate"].get<double>(),
                   disco::preset_settings("catch", "actor_critic")["optimizer"]["learning_rate"].get<double>());
  EXPECT_NE(settings["optimizer"]["learning_rate"].get<double>(),
            disco::default_train_settings("actor_critic").optimizer.learning_rate);
  const auto flagged = scratch("preset_lr");
  ASSERT_EQ(run(kSmall + "--steps 2 --preset catch --lr 0.25 --out " + flagged.string()).code, 0);
  std::ifstream in2(flagged / "settings.json");
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(in2)["optimizer"]["learning_rate"].get<double>(), 0.25);

  const Result unknown = run(kSmall + "--steps 2 --preset nowhere --out " + scratch("p2").string());
  EXPECT_EQ(unknown.code, 2);
  EXPECT_TRUE(contains(unknown.output, "unknown preset 'nowhere' (known: catch")) << unknown.output;
  const Result resumed = run("train --resume " + out.string() + " --preset catch");
  EXPECT_NE(resumed.code, 0);
  EXPECT_TRUE(contains(resumed.output, "--preset cannot change a resumed run")) << resumed.output;
}

// A small on-policy Disco run (the rule as given, a tiny agent), one thread.
std::string small_disco(const std::string& rule, const fs::path& weights) {
  const auto cfg = scratch("small_disco.json");
  std::ofstream(cfg) << R"({"num_envs": 4, "rollout_length": 5, "replay_capacity": 0,
    "net": {"dense": [16], "lstm_size": 8, "model_head_hiddens": [8]}})";
  return "train --rule " + rule + " --weights " + weights.string() +
         " --env 'catch(rows=5,columns=5)' --threads 1 --config " + cfg.string() + " ";
}

const fs::path kDisco103 = fs::path(DISCO_SHARED_DIR) / "weights" / "disco_103.npz";

TEST(TrainCli, MissingDisco103WeightsSayWhereToGetThemAndHowToPassThem) {
  const auto out = scratch("no_weights");
  const Result r = run(small_disco("disco103", "/no/such/disco_103.npz") + "--steps 2 --out " +
                       out.string());
  EXPECT_NE(r.code, 0);
  EXPECT_TRUE(contains(r.output, "/no/such/disco_103.npz")) << r.output;
  EXPECT_TRUE(contains(r.output, "github.com/google-deepmind/disco_rl")) << r.output;
  EXPECT_TRUE(contains(r.output, "dac840a15b81e880")) << r.output;  // the checksum
  EXPECT_TRUE(contains(r.output, "--weights")) << r.output;
  EXPECT_LE(std::count(r.output.begin(), r.output.end(), '\n'), 2) << r.output;
  EXPECT_FALSE(fs::exists(out / "settings.json"));
}

TEST(TrainCli, WeightsFlagLoadsDisco103FromThatFile) {
  const auto copy = scratch("elsewhere_disco_103.npz");
  fs::copy_file(kDisco103, copy);
  const auto out = scratch("weights_flag");
  const Result r = run(small_disco("disco103", copy) + "--steps 2 --out " + out.string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(fs::exists(out / "checkpoint.npz"));
}

TEST(TrainCli, ResumeWithOtherRuleWeightsIsRefused) {
  const auto rule = scratch("my_rule.npz");
  fs::copy_file(kDisco103, rule);
  const auto out = scratch("other_weights");
  const std::string cmd = small_disco(rule.string(), kDisco103);
  ASSERT_EQ(run(cmd + "--steps 6 --checkpoint-every 2 --stop-after 3 --out " + out.string()).code, 0);
  // The rule file changes under the run: one tensor scaled.
  auto params = disco::load_tensors(rule.string());
  const auto original = params;
  params.begin()->second = params.begin()->second * 1.5;
  disco::save_tensors(rule.string(), params);
  const Result refused = run("train --threads 1 --resume " + out.string());
  EXPECT_NE(refused.code, 0);
  EXPECT_TRUE(contains(refused.output, "not those this run was trained with")) << refused.output;
  // With the original weights back, the same run resumes.
  disco::save_tensors(rule.string(), original);
  const Result resumed = run("train --threads 1 --resume " + out.string());
  EXPECT_EQ(resumed.code, 0) << resumed.output;
}

TEST(TrainCli, PlotDrawsSeveralRunsIntoOnePng) {
  const auto a = scratch("plot_a"), b = scratch("plot_b"), png = scratch("curves.png");
  ASSERT_EQ(run(kSmall + "--steps 10 --out " + a.string()).code, 0);
  ASSERT_EQ(run(kSmall + "--steps 10 --seed 1 --out " + b.string()).code, 0);
  const Result r = run("plot " + a.string() + " " + b.string() + " --out " + png.string());
  ASSERT_EQ(r.code, 0) << r.output;
  std::ifstream in(png, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  EXPECT_EQ(std::string(magic + 1, 3), "PNG");
  EXPECT_NE(run("plot " + a.string() + " --y no_such_column --out " + png.string()).code, 0);
}

}  // namespace
