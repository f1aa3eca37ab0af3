// `mpirun -np K disco meta-train`: the same rule bit for bit for K = 1, 2
// and 4, resumable with another K, and a job that stops (without hanging)
// when one rank dies or raises, its last checkpoint intact and resumable.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include "../cli/run_disco.h"
#include "../cli/scratch.h"
#include "io/npz_tensors.h"

namespace {

namespace fs = std::filesystem;
using disco_test::contains;

class MpiMetaTrain : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string(DISCO_MPIEXEC).empty()) GTEST_SKIP() << "built without MPI";
  }
};

fs::path scratch(const std::string& name) {
  const auto dir = disco_test::scratch_root("disco_mpi_");
  fs::remove_all(dir / name);
  return dir / name;
}

// Tiny networks, four agents with finite lifetimes (resets draw from each
// agent's own stream) and one Adam per agent.
fs::path config() {
  const auto path = scratch("config.json");
  std::ofstream(path)
      << R"({"net": {"dense": [16], "lstm_size": 8, "model_head_hiddens": [8]},)"
      << R"( "value": {"dense": [16]}, "checkpoint_every": 1, "lifetimes": [40, 80],)"
      << R"j( "meta_optimizer_mode": "per_agent", "envs": ["catch(rows=5,columns=5)", "deep_sea(size=4)"]})j";
  return path;
}

std::string mpirun(int ranks) {
  return "timeout 300 " + std::string(DISCO_MPIEXEC) +
         " --allow-run-as-root --oversubscribe --bind-to none -np " + std::to_string(ranks) + " ";
}

std::string run_args(const fs::path& out, int meta_steps) {
  return "meta-train --rollout 4 --batch 4 --threads 1 --population 4 --meta-steps " +
         std::to_string(meta_steps) + " --config " + config().string() + " --out " + out.string();
}

// K ranks (K = 0: plain process, no mpirun).
disco_test::Result disco_on(int ranks, const std::string& args) {
  return disco_test::run_disco(args, ranks == 0 ? "" : mpirun(ranks));
}

void expect_same_npz(const fs::path& a, const fs::path& b, const char* skip = "") {
  const auto ta = disco::load_tensors(a.string()), tb = disco::load_tensors(b.string());
  ASSERT_EQ(ta.size(), tb.size()) << a << " vs " << b;
  for (const auto& [name, t] : ta) {
    if (name == skip) continue;
    ASSERT_TRUE(tb.count(name)) << name;
    EXPECT_TRUE(torch::equal(t, tb.at(name))) << a << ": " << name;
  }
}

// The rule, the manifest (but its clock) and every agent's state.
void expect_same_run(const fs::path& a, const fs::path& b) {
  expect_same_npz(a / "rule.npz", b / "rule.npz");
  expect_same_npz(a / "checkpoint.npz", b / "checkpoint.npz", "trainer/elapsed_s");
  int agents = 0;
  for (const auto& entry : fs::directory_iterator(a / "agents")) {
    expect_same_npz(entry.path(), b / "agents" / entry.path().filename());
    ++agents;
  }
  EXPECT_EQ(agents, 4);
}

TEST_F(MpiMetaTrain, RuleIsBitIdenticalForOneTwoAndFourRanks) {
  const auto one = scratch("k1"), two = scratch("k2"), four = scratch("k4");
  const auto r1 = disco_on(0, run_args(one, 4));
  ASSERT_EQ(r1.code, 0) << r1.output;
  const auto r2 = disco_on(2, run_args(two, 4));
  ASSERT_EQ(r2.code, 0) << r2.output;
  EXPECT_TRUE(contains(r2.output, "4 agents on 2 ranks")) << r2.output;
  const auto r4 = disco_on(4, run_args(four, 4));
  ASSERT_EQ(r4.code, 0) << r4.output;
  expect_same_run(one, two);
  expect_same_run(one, four);
  // One set of run files, written once (by rank 0).
  std::ifstream csv(two / "meta_metrics.csv");
  const auto lines = std::count(std::istreambuf_iterator<char>(csv), {}, '\n');
  EXPECT_EQ(lines, 5);
}

TEST_F(MpiMetaTrain, RuleIsBitIdenticalForAnyThreadsPerRank) {
  // One process on its default threads (one per core, agents side by side)
  // against two ranks of two threads each and four of one.
  const auto one = scratch("t_default"), two = scratch("t_2x2");
  auto args = run_args(one, 3);
  args.replace(args.find(" --threads 1"), 12, "");
  const auto r1 = disco_on(0, args);
  ASSERT_EQ(r1.code, 0) << r1.output;
  args = run_args(two, 3);
  args.replace(args.find("--threads 1"), 11, "--threads 2");
  const auto r2 = disco_on(2, args);
  ASSERT_EQ(r2.code, 0) << r2.output;
  expect_same_run(one, two);
}

TEST_F(MpiMetaTrain, ARunResumesWithAnotherNumberOfRanks) {
  const auto whole = scratch("whole"), cut = scratch("cut");
  ASSERT_EQ(disco_on(0, run_args(whole, 4)).code, 0);
  const auto c = disco_on(2, run_args(cut, 4) + " --stop-after 3");  // checkpoint of step 2
  ASSERT_EQ(c.code, 0) << c.output;
  for (const int ranks : {0, 4}) {
    const auto copy = scratch("cut_then_" + std::to_string(ranks));
    fs::copy(cut, copy, fs::copy_options::recursive);
    const auto r = disco_on(ranks, "meta-train --threads 1 --resume " + copy.string());
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "at meta-step 2")) << r.output;
    expect_same_run(whole, copy);
  }
}

// The pid of rank `rank` of the job writing to `out`.
pid_t rank_pid(const fs::path& out, int rank) {
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream cmdline(entry.path() / "cmdline"), environ(entry.path() / "environ");
    const std::string cmd((std::istreambuf_iterator<char>(cmdline)), {});
    const std::string env((std::istreambuf_iterator<char>(environ)), {});
    if (cmd.find(out.string()) == std::string::npos || cmd.find("mpirun") != std::string::npos) continue;
    if (env.find("OMPI_COMM_WORLD_RANK=" + std::to_string(rank) + '\0') != std::string::npos) {
      return static_cast<pid_t>(std::stol(pid));
    }
  }
  return -1;
}

TEST_F(MpiMetaTrain, KillingOneRankStopsTheJobAndTheRunResumes) {
  const auto whole = scratch("kill_whole"), cut = scratch("kill_cut");
  ASSERT_EQ(disco_on(0, run_args(whole, 30)).code, 0);
  const auto log = scratch("kill.log");
  const pid_t job = fork();
  ASSERT_GE(job, 0);
  if (job == 0) {
    const std::string cmd = mpirun(2) + DISCO_BINARY + " " + run_args(cut, 30) + " >" +
                            log.string() + " 2>&1 </dev/null";
    execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Kill rank 1 once a few checkpoints exist.
  const auto rows = [&] {
    std::ifstream in(cut / "meta_metrics.csv");
    return static_cast<int>(std::count(std::istreambuf_iterator<char>(in), {}, '\n'));
  };
  for (int i = 0; i < 6000 && rows() < 5; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const pid_t victim = rank_pid(cut, 1);
  ASSERT_GT(victim, 0) << "rank 1 not found";
  ASSERT_EQ(kill(victim, SIGKILL), 0);
  // The whole job ends (no hang) and says which rank died.
  int status = 0;
  bool ended = false;
  for (int i = 0; i < 600 && !ended; ++i) {
    ended = waitpid(job, &status, WNOHANG) == job;
    if (!ended) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!ended) kill(job, SIGKILL), waitpid(job, &status, 0);
  ASSERT_TRUE(ended) << "the job hung after rank 1 died";
  EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  std::ifstream in(log);
  const std::string output((std::istreambuf_iterator<char>(in)), {});
  EXPECT_TRUE(contains(output, "rank 1")) << output;

  const auto r = disco_on(2, "meta-train --threads 1 --resume " + cut.string());
  ASSERT_EQ(r.code, 0) << r.output;
  expect_same_run(whole, cut);
}

TEST_F(MpiMetaTrain, AnErrorOnOneRankStopsAllAndNamesIt) {
  const auto run = scratch("raise");
  ASSERT_EQ(disco_on(2, run_args(run, 2)).code, 0);
  // Agent 3 lives on rank 1 of 2; without its state, that rank raises.
  fs::remove(run / "agents" / "agent3-step2.npz");
  const auto r = disco_on(2, "meta-train --threads 1 --meta-steps 4 --resume " + run.string());
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.code, 124) << "timed out: a rank waited for the failed one";
  EXPECT_TRUE(contains(r.output, "error on rank 1 of 2")) << r.output;
  EXPECT_TRUE(contains(r.output, "lacks agent 3")) << r.output;

  const auto few = scratch("few_agents");
  const auto f = disco_on(4, "meta-train --population 2 --threads 1 --out " + few.string());
  EXPECT_NE(f.code, 0);
  EXPECT_TRUE(contains(f.output, "population 2 is smaller than the number of ranks 4")) << f.output;
}

}  // namespace
