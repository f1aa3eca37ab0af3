// `disco meta-train` through the binary, on tiny networks: outputs, a rule
// that `disco train` loads, bit-for-bit resume after a kill, the same rule
// from the same seed, the paper's options, skipped non-finite steps, and
// one-line errors for bad input.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include "../cli/run_disco.h"
#include "../cli/scratch.h"
#include <nlohmann/json.hpp>

#include "io/metrics.h"
#include "io/npz_tensors.h"

namespace {

namespace fs = std::filesystem;
using disco_test::contains;

fs::path scratch(const std::string& name) {
  const auto dir = disco_test::scratch_root("disco_meta_cli_");
  fs::remove_all(dir / name);
  return dir / name;
}

// Small networks so that a meta-step takes milliseconds.
fs::path small_config(const std::string& extra = "") {
  const auto path = scratch("config_" + std::to_string(std::hash<std::string>{}(extra)) + ".json");
  std::ofstream(path) << R"({"net": {"dense": [16], "lstm_size": 8, "model_head_hiddens": [8]},)"
                      << R"( "value": {"dense": [16]}, "checkpoint_every": 1)" << extra << "}";
  return path;
}

std::string small_run(const fs::path& out, const fs::path& config, int meta_steps) {
  return "meta-train --rollout 4 --batch 4 --threads 1 --meta-steps " + std::to_string(meta_steps) +
         " --config " + config.string() + " --out " + out.string();
}

disco::ParamMap rule_of(const fs::path& run) {
  return disco::load_tensors((run / "rule.npz").string());
}

void expect_same_rule(const fs::path& a, const fs::path& b) {
  const auto ra = rule_of(a), rb = rule_of(b);
  ASSERT_EQ(ra.size(), 42u);
  ASSERT_EQ(ra.size(), rb.size());
  for (const auto& [name, t] : ra) EXPECT_TRUE(torch::equal(t, rb.at(name))) << name;
}

TEST(MetaTrainCli, WritesRuleMetricsAndCurveAndTheRuleTrainsAnAgent) {
  const auto run = scratch("basic");
  const auto r = disco_test::run_disco(small_run(run, small_config(), 3));
  ASSERT_EQ(r.code, 0) << r.output;
  for (const char* f : {"rule.npz", "checkpoint.npz", "settings.json", "meta_metrics.csv",
                        "meta_metrics.jsonl", "meta_curve.png"}) {
    EXPECT_TRUE(fs::exists(run / f)) << f << "\n" << r.output;
  }
  const auto table = disco::read_metrics_csv((run / "meta_metrics.csv").string());
  ASSERT_EQ(table.rows.size(), 3u);
  for (const char* column :
       {"meta_loss", "pg_loss", "pi_entropy", "target_kl", "meta_grad_norm", "meta_update_norm",
        "agent0/avg_return", "agent1/pos_rewards", "agent1/neg_rewards", "resets", "skipped"}) {
    EXPECT_GE(table.column(column), 0) << column;
  }
  const int norm = table.column("meta_update_norm");
  EXPECT_GT(table.rows.back()[norm], 0);  // the rule moved

  // The initial random rule and the saved one differ, and `disco train` loads it.
  const auto train_out = scratch("train_with_rule");
  const auto t2 = disco_test::run_disco("train --rule " + (run / "rule.npz").string() +
                                        " --env 'catch(rows=5,columns=5)' --steps 2 --threads 1 "
                                        "--out " +
                                        train_out.string());
  EXPECT_EQ(t2.code, 0) << t2.output;
}

TEST(MetaTrainCli, KilledAndResumedEqualsUninterruptedAndSeedsReproduce) {
  const auto config = small_config();
  const auto full = scratch("full"), again = scratch("again"), killed = scratch("killed");
  ASSERT_EQ(disco_test::run_disco(small_run(full, config, 4)).code, 0);
  ASSERT_EQ(disco_test::run_disco(small_run(again, config, 4)).code, 0);
  expect_same_rule(full, again);

  // Stop after 3 meta-steps without the last checkpoint (as a kill would),
  // then resume from the checkpoint of step 2.
  const auto k = disco_test::run_disco(small_run(killed, config, 4) + " --stop-after 3");
  ASSERT_EQ(k.code, 0) << k.output;
  EXPECT_FALSE(fs::exists(killed / "meta_curve.png"));
  const auto r = disco_test::run_disco("meta-train --threads 1 --resume " + killed.string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "meta-step 2")) << r.output;
  expect_same_rule(full, killed);
  const auto ca = disco::load_tensors((full / "checkpoint.npz").string());
  const auto cb = disco::load_tensors((killed / "checkpoint.npz").string());
  for (const auto& [name, t] : ca) {
    if (name == "trainer/elapsed_s") continue;
    ASSERT_TRUE(cb.count(name)) << name;
    EXPECT_TRUE(torch::equal(t, cb.at(name))) << name;
  }
  // Every agent's state (parameters, optimisers, meta-RNN, EMAs, value
  // function, actor and generator), from the files of the last checkpoint.
  int agents = 0;
  for (const auto& entry : fs::directory_iterator(full / "agents")) {
    const auto aa = disco::load_tensors(entry.path().string());
    const auto ab = disco::load_tensors((killed / "agents" / entry.path().filename()).string());
    ASSERT_EQ(aa.size(), ab.size());
    for (const auto& [name, t] : aa) EXPECT_TRUE(torch::equal(t, ab.at(name))) << name;
    ++agents;
  }
  EXPECT_EQ(agents, 2);
  EXPECT_EQ(disco::read_metrics_csv((killed / "meta_metrics.csv").string()).rows.size(), 4u);

  const auto other = scratch("other_seed");
  ASSERT_EQ(disco_test::run_disco(small_run(other, config, 4) + " --seed 1").code, 0);
  EXPECT_FALSE(
      torch::equal(rule_of(full).at("lstm/linear_4/w"), rule_of(other).at("lstm/linear_4/w")));
}

TEST(MetaTrainCli, RunKilledWithSigkillResumesToTheSameRule) {
  const auto config = small_config();
  const auto cut = scratch("sigkill_cut"), whole = scratch("sigkill_whole");
  const int planned = 2000;  // far more meta-steps than run before the kill
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string cmd =
        std::string(DISCO_BINARY) + " " + small_run(cut, config, planned) + " >/dev/null 2>&1";
    execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Kill -9 once a few checkpoints exist (one every meta-step).
  const auto rows = [&] {
    std::ifstream in(cut / "meta_metrics.csv");
    return static_cast<int>(
        std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n'));
  };
  for (int i = 0; i < 6000 && rows() < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the run was not killed";
  const int logged = rows() - 1;  // without the header
  ASSERT_GE(logged, 4);
  ASSERT_LT(logged, planned);
  ASSERT_TRUE(fs::exists(cut / "checkpoint.npz"));
  // Resume to a few meta-steps past the kill, and compare with a run of that
  // length that was never interrupted.
  const int total = logged + 3;
  const auto r = disco_test::run_disco("meta-train --threads 1 --meta-steps " + std::to_string(total) +
                                       " --resume " + cut.string());
  ASSERT_EQ(r.code, 0) << r.output;
  ASSERT_EQ(disco_test::run_disco(small_run(whole, config, total)).code, 0);
  expect_same_rule(whole, cut);
  EXPECT_EQ(disco::read_metrics_csv((cut / "meta_metrics.csv").string()).rows.size(),
            static_cast<size_t>(total));
}

TEST(MetaTrainCli, PresetGeneralSpreadsAgentsOverItsSetAndFlagsOverrideIt) {
  const auto run = scratch("preset_general");
  const auto r = disco_test::run_disco(small_run(run, small_config(), 1) + " --preset general");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "held-out")) << r.output;
  EXPECT_TRUE(contains(r.output, "minatar_breakout")) << r.output;
  std::ifstream in(run / "settings.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j.at("envs").size(), 4u);
  EXPECT_EQ(j.at("population"), 4);
  EXPECT_EQ(j.at("meta_optimizer_mode"), "mean");
  EXPECT_EQ(j.at("agent_optimizer").at("learning_rate"), 3e-3);
  EXPECT_EQ(j.at("lifetimes").size(), 3u);
  EXPECT_EQ(j.at("lifetimes_start"), 600);
  EXPECT_EQ(j.at("meta_steps"), 1);  // the flag wins over the preset's 2000
  EXPECT_EQ(j.at("batch"), 4);
  for (const auto& env : j.at("envs")) {
    EXPECT_FALSE(contains(env.get<std::string>(), "minatar")) << "a held-out family in training";
    EXPECT_FALSE(contains(env.get<std::string>(), "layout=dense")) << "a held-out environment in training";
  }
  const auto table = disco::read_metrics_csv((run / "meta_metrics.csv").string());
  EXPECT_GE(table.column("agent3/avg_return"), 0);
  EXPECT_GE(table.column("dropped"), 0);
}

TEST(MetaTrainCli, TheRuleIsTheSameForEveryThreadCount) {
  // Agents run side by side, one thread each, each single-threaded: 1, 2
  // and 3 threads for 3 agents on two environments give one rule.
  const auto config = small_config();
  std::vector<fs::path> runs;
  for (const int threads : {1, 2, 3}) {
    runs.push_back(scratch("threads" + std::to_string(threads)));
    auto cmd = small_run(runs.back(), config, 3) +
               " --population 3 --envs 'catch(rows=5,columns=5);deep_sea(size=4)'";
    cmd.replace(cmd.find("--threads 1"), 11, "--threads " + std::to_string(threads));
    const auto r = disco_test::run_disco(cmd);
    ASSERT_EQ(r.code, 0) << r.output;
  }
  expect_same_rule(runs[0], runs[1]);
  expect_same_rule(runs[0], runs[2]);
  const auto initial = disco::load_tensors((runs[0] / "initial_rule.npz").string());
  EXPECT_FALSE(torch::equal(rule_of(runs[0]).at("lstm/linear_4/w"), initial.at("lstm/linear_4/w")));
}

TEST(MetaTrainCli, ResumeDoesNotReadTheInitialRuleAgain) {
  // The checkpoint holds the rule, so a run started from a rule file resumes
  // after that file is gone (as it does without the Disco103 weights).
  const auto config = small_config();
  const auto source = scratch("init_source"), full = scratch("init_full"), cut = scratch("init_cut");
  ASSERT_EQ(disco_test::run_disco(small_run(source, config, 1)).code, 0);
  const auto init = scratch("init_rule.npz");
  fs::copy_file(source / "rule.npz", init);
  const std::string from_file = " --init " + init.string();
  ASSERT_EQ(disco_test::run_disco(small_run(full, config, 3) + from_file).code, 0);
  ASSERT_EQ(disco_test::run_disco(small_run(cut, config, 3) + from_file + " --stop-after 2").code, 0);
  fs::remove(init);
  const auto r = disco_test::run_disco("meta-train --threads 1 --resume " + cut.string());
  ASSERT_EQ(r.code, 0) << r.output;
  expect_same_rule(full, cut);
}

TEST(MetaTrainCli, ACheckpointOfTheOldLayoutIsRefusedWithAReason) {
  const auto run = scratch("old_layout");
  ASSERT_EQ(disco_test::run_disco(small_run(run, small_config(), 1)).code, 0);
  auto ckpt = disco::load_tensors((run / "checkpoint.npz").string());
  ckpt["agent0/actor"] = torch::zeros({8});  // what one-file checkpoints held
  disco::save_tensors((run / "checkpoint.npz").string(), ckpt);
  const auto r = disco_test::run_disco("meta-train --threads 1 --meta-steps 2 --resume " + run.string());
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.output, "checkpointed by an older disco")) << r.output;
}

TEST(MetaTrainCli, WindowLifetimesAndPerAgentAdamResumeExactly) {
  const auto config =
      small_config(R"(, "window": 4, "lifetimes": [60, 120], "meta_optimizer_mode": "per_agent",)"
                   R"( "meta_grad_clip": 0.5, "checkpointing": true)");
  const auto full = scratch("options_full"), killed = scratch("options_killed");
  const auto a = disco_test::run_disco(small_run(full, config, 6) + " --population 3");
  ASSERT_EQ(a.code, 0) << a.output;
  const auto table = disco::read_metrics_csv((full / "meta_metrics.csv").string());
  EXPECT_GT(table.rows.back()[table.column("resets")], 0);  // budgets of 60-120 env steps
  ASSERT_EQ(
      disco_test::run_disco(small_run(killed, config, 6) + " --population 3 --stop-after 4").code,
      0);
  ASSERT_EQ(disco_test::run_disco("meta-train --threads 1 --resume " + killed.string()).code, 0);
  expect_same_rule(full, killed);
}

TEST(MetaTrainCli, ReplayResumesExactlyAndChangesTheRule) {
  // Lifetimes of 24-48 env steps: replays are emptied and refilled mid-run.
  const auto config = small_config(R"(, "replay_fraction": 0.5, "replay_capacity": 8, "lifetimes": [24, 48])");
  const auto full = scratch("replay_full"), killed = scratch("replay_killed");
  const auto a = disco_test::run_disco(small_run(full, config, 6));
  ASSERT_EQ(a.code, 0) << a.output;
  ASSERT_EQ(disco_test::run_disco(small_run(killed, config, 6) + " --stop-after 4").code, 0);
  ASSERT_EQ(disco_test::run_disco("meta-train --threads 1 --resume " + killed.string()).code, 0);
  expect_same_rule(full, killed);

  // The same run on-policy (--replay 0 over the file) gives another rule.
  const auto on_policy = scratch("replay_off");
  ASSERT_EQ(disco_test::run_disco(small_run(on_policy, config, 6) + " --replay 0").code, 0);
  const auto ra = rule_of(full), rb = rule_of(on_policy);
  int differ = 0;
  for (const auto& [name, t] : ra) differ += !torch::equal(t, rb.at(name));
  EXPECT_GT(differ, 0);
  const auto bad = disco_test::run_disco(small_run(scratch("replay_bad"), config, 1) + " --replay 1");
  EXPECT_EQ(bad.code, 2) << bad.output;
  EXPECT_TRUE(contains(bad.output, "replay_fraction")) << bad.output;
}

TEST(MetaTrainCli, LifetimesThatStartLateResetNoAgentBeforeAndResumeExactlyAcross) {
  // Budgets of 24-48 env steps would reset agents every meta-step or two.
  const auto config = small_config(R"(, "lifetimes": [24, 48], "lifetimes_start": 4)");
  const auto full = scratch("late_full"), killed = scratch("late_killed");
  const auto a = disco_test::run_disco(small_run(full, config, 7) + " --population 3");
  ASSERT_EQ(a.code, 0) << a.output;
  const auto table = disco::read_metrics_csv((full / "meta_metrics.csv").string());
  ASSERT_EQ(table.rows.size(), 7u);
  EXPECT_EQ(table.rows[3][table.column("resets")], 0);  // meta-steps 1-4
  EXPECT_GT(table.rows[6][table.column("resets")], 0);
  ASSERT_EQ(
      disco_test::run_disco(small_run(killed, config, 7) + " --population 3 --stop-after 3").code, 0);
  ASSERT_EQ(disco_test::run_disco("meta-train --threads 1 --resume " + killed.string()).code, 0);
  expect_same_rule(full, killed);
  const auto bad = disco_test::run_disco(
      small_run(scratch("late_bad"), small_config(R"(, "lifetimes_start": 4)"), 1));
  EXPECT_EQ(bad.code, 2) << bad.output;
  EXPECT_TRUE(contains(bad.output, "lifetimes_start needs lifetimes")) << bad.output;
}

TEST(MetaTrainCli, NonFiniteStepsAreSkippedAndTheRuleStaysFinite) {
  // A meta learning rate of 1e30 sends the rule to huge values after one
  // step; the meta-loss then overflows, and those steps must be skipped.
  const auto config = small_config(R"(, "meta_optimizer": {"learning_rate": 1e30})");
  const auto run = scratch("nonfinite");
  const auto r = disco_test::run_disco(small_run(run, config, 3));
  ASSERT_EQ(r.code, 0) << r.output;
  const auto table = disco::read_metrics_csv((run / "meta_metrics.csv").string());
  EXPECT_GE(table.rows.back()[table.column("skipped")], 1) << r.output;
  for (const auto& [name, t] : rule_of(run))
    EXPECT_TRUE(torch::isfinite(t).all().item<bool>()) << name;
}

TEST(MetaTrainCli, BadInputIsOneClearLineAndNeverOverwritesARun) {
  const auto run = scratch("bad");
  auto r = disco_test::run_disco("meta-train --envs 'nosuchgame' --out " + run.string());
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.output, "nosuchgame")) << r.output;
  r = disco_test::run_disco("meta-train --population 0 --out " + run.string());
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.output, "--population")) << r.output;
  r = disco_test::run_disco("meta-train --meta-steps -3 --out " + run.string());
  EXPECT_EQ(r.code, 2);
  r = disco_test::run_disco("meta-train --population 2 --envs 'catch;deep_sea;minatar_breakout' --out " +
                            run.string());
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.output, "every environment needs an agent")) << r.output;
  r = disco_test::run_disco("meta-train --preset nosuchpreset --out " + run.string());
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.output, "general")) << r.output;
  r = disco_test::run_disco("meta-train --threads -1 --out " + run.string());
  EXPECT_EQ(r.code, 2);
  r = disco_test::run_disco("meta-train --init /no/such/rule.npz --out " + run.string());
  EXPECT_NE(r.code, 0);
  EXPECT_TRUE(contains(r.output, "/no/such/rule.npz")) << r.output;
  EXPECT_FALSE(fs::exists(run / "settings.json"));
  const auto config = small_config(R"(, "no_such_setting": 1)");
  r = disco_test::run_disco(small_run(run, config, 1));
  EXPECT_NE(r.code, 0);
  EXPECT_TRUE(contains(r.output, "no_such_setting")) << r.output;

  const auto done = scratch("done");
  ASSERT_EQ(disco_test::run_disco(small_run(done, small_config(), 1)).code, 0);
  const auto before = rule_of(done);
  r = disco_test::run_disco(small_run(done, small_config(), 1));
  EXPECT_NE(r.code, 0);
  EXPECT_TRUE(contains(r.output, "already holds a run")) << r.output;
  for (const auto& [name, t] : rule_of(done)) EXPECT_TRUE(torch::equal(t, before.at(name))) << name;
}

}  // namespace
