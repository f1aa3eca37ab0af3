// The `disco` command line as a user meets it: help, exit codes, `envs`,
// `inspect`. Runs the built binary (DISCO_BINARY).
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "run_disco.h"

namespace {

using disco_test::contains;
using disco_test::Result;

Result run(const std::string& args) { return disco_test::run_disco(args); }

TEST(Cli, HelpListsSubcommands) {
  const Result r = run("--help");
  EXPECT_EQ(r.code, 0);
  for (const char* sub : {"inspect", "envs", "train"}) EXPECT_TRUE(contains(r.output, sub)) << sub;
  const Result sub = run("inspect --help");
  EXPECT_EQ(sub.code, 0);
  EXPECT_TRUE(contains(sub.output, "file"));
}

TEST(Cli, VersionNamesTheBuildLibTorchBlasAndKernels) {
  const Result r = run("--version");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "disco 0.1.0 (commit ")) << r.output;
  EXPECT_TRUE(contains(r.output, std::string("LibTorch ") + TORCH_VERSION)) << r.output;
  EXPECT_TRUE(contains(r.output, "BLAS: ")) << r.output;
  EXPECT_TRUE(contains(r.output, "AVX2+FMA kernels: ")) << r.output;
}

TEST(Cli, UsageErrorsExitWithTwo) {
  EXPECT_EQ(run("").code, 2);
  EXPECT_EQ(run("no-such-command").code, 2);
  EXPECT_EQ(run("envs --no-such-option").code, 2);
  const Result r = run("train --env no_such_env --steps 5");
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.output, "no_such_env")) << r.output;
  EXPECT_EQ(run("train --rule no_such_rule --steps 5").code, 2);
  EXPECT_EQ(run("play --env no_such_env --policy random").code, 2);
}

TEST(Cli, EnvsListsCatchWithSpecAndParameters) {
  const Result r = run("envs");
  EXPECT_EQ(r.code, 0);
  EXPECT_TRUE(contains(r.output, "catch(columns=5,rows=10)")) << r.output;
  EXPECT_TRUE(contains(r.output, "actions 3"));
  EXPECT_TRUE(contains(r.output, "rows (int, default 10)"));
}

TEST(Cli, InspectReportsDisco103Totals) {
  const std::string path = std::string(DISCO_SHARED_DIR) + "/weights/disco_103.npz";
  if (!std::ifstream(path)) GTEST_SKIP() << path << " not present";
  const Result i = run("inspect " + path);
  EXPECT_EQ(i.code, 0);
  EXPECT_TRUE(contains(i.output, "42 arrays, 754,778 values")) << i.output;
  EXPECT_TRUE(contains(i.output, "lstm/~/meta_lstm/~unroll/lstm/linear/w"));
  EXPECT_TRUE(contains(i.output, "(144, 512)"));
}

TEST(Cli, ADeviceThisLibTorchCannotRunIsOneLineAndNoRun) {
  const std::string out = ::testing::TempDir() + "cli_cuda_run";
  std::filesystem::remove_all(out);
  const std::string golden = std::string(DISCO_SHARED_DIR) + "/golden/disco103_public.npz";
  for (const std::string cmd :
       {std::string("train --steps 2"), std::string("meta-train --meta-steps 1"), "targets --rollout " + golden}) {
    const Result bad = run(cmd + " --device gpu7 --out " + out);
    EXPECT_NE(bad.code, 0) << cmd;
    EXPECT_TRUE(contains(bad.output, "'gpu7' is not a torch device")) << cmd << ": " << bad.output;
    if (torch::cuda::is_available()) continue;  // a CUDA LibTorch runs cuda:0
    const Result r = run(cmd + " --device cuda:0 --out " + out);
    EXPECT_NE(r.code, 0) << cmd;
    EXPECT_TRUE(contains(r.output, "this LibTorch has no CUDA")) << cmd << ": " << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
    EXPECT_FALSE(std::filesystem::exists(out + "/settings.json")) << cmd;
  }
}

TEST(Cli, InspectOfBadFileIsOneLineAndNonZero) {
  const std::string path = ::testing::TempDir() + "cli_bad.npz";
  std::ofstream(path) << "garbage";
  const Result r = run("inspect " + path);
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.output, "disco: error:")) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  std::remove(path.c_str());
}

}  // namespace
