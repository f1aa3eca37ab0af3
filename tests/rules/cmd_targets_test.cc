// `disco targets` on the golden file, and its refusals of bad inputs.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "golden_util.h"
#include "io/npz_tensors.h"

namespace disco {
namespace {

namespace fs = std::filesystem;

struct CommandResult {
  int exit_code;
  std::string err;
};

CommandResult run_disco(const std::string& args, const fs::path& dir) {
  const auto err_path = dir / "stderr.txt";
  const std::string cmd = std::string(DISCO_BINARY) + " " + args + " > /dev/null 2> " + err_path.string();
  const int status = std::system(cmd.c_str());
  std::ifstream in(err_path);
  std::stringstream err;
  err << in.rdbuf();
  return {WEXITSTATUS(status), err.str()};
}

class TargetsCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("disco_targets_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(TargetsCommand, ReproducesTheGoldenFile) {
  const auto out = dir_ / "out.npz";
  const CommandResult run = run_disco("targets --rule disco103 --rollout " + testing::golden_path() + " --out " + out.string(), dir_);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<std::string> failures;
  testing::compare_with_golden(load_tensors(testing::golden_path()), load_tensors(out.string()), failures);
  for (const auto& f : failures) ADD_FAILURE() << f;
}

// Each bad input: one line on stderr naming the problem, exit != 0, no output.
void expect_refused(const CommandResult& run, const fs::path& out, const std::string& message) {
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find(message), std::string::npos) << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(TargetsCommand, RefusesBadInputsWithOneClearError) {
  const ParamMap golden = load_tensors(testing::golden_path());
  const auto out = dir_ / "out.npz";
  const auto rollout = (dir_ / "rollout.npz").string();

  ParamMap missing = golden;
  missing.erase("call2/agent_out/y");
  save_tensors(rollout, missing);
  expect_refused(run_disco("targets --rollout " + rollout + " --out " + out.string(), dir_), out,
                 "rollout file has no 'call2/agent_out/y'");

  ParamMap bad_shape = golden;
  bad_shape["call1/rewards"] = torch::zeros({6, 4});
  save_tensors(rollout, bad_shape);
  expect_refused(run_disco("targets --rollout " + rollout + " --out " + out.string(), dir_), out,
                 "'call1/rewards' has shape [6, 4], expected [6, 3]");

  expect_refused(run_disco("targets --rule disco57 --rollout " + testing::golden_path() + " --out " +
                               out.string(), dir_),
                 out, "unknown rule 'disco57'");

  ParamMap weights = load_tensors(testing::weights_path());
  weights.erase("lstm/linear_4/w");
  const auto bad_weights = (dir_ / "weights.npz").string();
  save_tensors(bad_weights, weights);
  expect_refused(run_disco("targets --weights " + bad_weights + " --rollout " + testing::golden_path() +
                               " --out " + out.string(), dir_),
                 out, "missing parameter 'lstm/linear_4/w'");
}

}  // namespace
}  // namespace disco
