// The communicators: the single-process one, the agreement check (with a
// scripted communicator), and MPI's collectives run by this same binary
// under mpirun (the MpiCollectives tests run only when launched by MPI).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>

#include "../cli/run_disco.h"
#include "dist/communicator.h"
#include "dist/consistency.h"

namespace disco::dist {
namespace {

TEST(SingleProcess, CollectivesAreIdentities) {
  auto comm = make_single_process_communicator();
  EXPECT_EQ(comm->rank(), 0);
  EXPECT_EQ(comm->size(), 1);
  const auto x = torch::arange(6, torch::kFloat32).reshape({3, 2});
  EXPECT_TRUE(torch::equal(comm->all_gather(x), x));
  EXPECT_TRUE(torch::equal(comm->all_reduce_sum(x), x));
  auto y = x.clone();
  comm->broadcast(y, 0);
  EXPECT_TRUE(torch::equal(y, x));
  EXPECT_THROW(comm->broadcast(y, 1), std::invalid_argument);
  comm->barrier();
  EXPECT_NO_THROW(check_same_on_all_ranks(*comm, 42, "a value"));
}

// Two ranks whose all_gather returns what the test scripted.
class ScriptedPair final : public Communicator {
 public:
  explicit ScriptedPair(torch::Tensor gathered) : gathered_(std::move(gathered)) {}
  int rank() const override { return 0; }
  int size() const override { return 2; }
  torch::Tensor all_gather(const torch::Tensor&) override { return gathered_; }
  torch::Tensor all_reduce_sum(const torch::Tensor& x) override { return x; }
  void broadcast(torch::Tensor&, int) override {}
  void barrier() override {}
  [[noreturn]] void abort(const std::string& message, int) override { throw std::runtime_error(message); }

 private:
  torch::Tensor gathered_;
};

TEST(Consistency, RanksThatDisagreeStopWithTheirNames) {
  ScriptedPair same(torch::tensor({int64_t{7}, int64_t{7}}));
  EXPECT_NO_THROW(check_same_on_all_ranks(same, 7, "the rule"));
  ScriptedPair differ(torch::tensor({int64_t{7}, int64_t{8}}));
  try {
    check_same_on_all_ranks(differ, 7, "the rule after meta-step 3");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("ranks disagree on the rule after meta-step 3"), std::string::npos) << what;
    EXPECT_NE(what.find("rank(s) 1 differ"), std::string::npos) << what;
  }
}

// ----- under mpirun --------------------------------------------------------

class MpiCollectives : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!launched_by_mpi()) GTEST_SKIP() << "runs under mpirun (MpiLaunch starts it)";
  }
};

TEST_F(MpiCollectives, GatherReduceBroadcast) {
  Communicator& comm = world();
  const int r = comm.rank(), k = comm.size();
  ASSERT_GE(k, 2);
  // Rank r contributes r rows (rank 0 none) of [r, r + 0.5], in float64.
  const auto mine = torch::full({r, 2}, static_cast<double>(r), torch::kFloat64) +
                    torch::tensor({0.0, 0.5}, torch::kFloat64);
  const auto all = comm.all_gather(mine);
  ASSERT_EQ(all.size(0), k * (k - 1) / 2);
  int64_t row = 0;
  for (int q = 0; q < k; ++q) {
    for (int i = 0; i < q; ++i, ++row) {
      EXPECT_EQ(all[row][0].item<double>(), q);
      EXPECT_EQ(all[row][1].item<double>(), q + 0.5);
    }
  }
  const auto ints = comm.all_gather(torch::tensor({int64_t{100} + r}));
  for (int q = 0; q < k; ++q) EXPECT_EQ(ints[q].item<int64_t>(), 100 + q);

  const auto sum = comm.all_reduce_sum(torch::full({3}, static_cast<float>(r + 1)));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(sum[i].item<float>(), k * (k + 1) / 2);

  auto value = torch::full({4}, static_cast<float>(r));
  comm.broadcast(value, k - 1);
  EXPECT_TRUE(torch::equal(value, torch::full({4}, static_cast<float>(k - 1))));
  comm.barrier();

  EXPECT_NO_THROW(check_same_on_all_ranks(comm, 99, "a constant"));
  EXPECT_THROW(check_same_on_all_ranks(comm, r == 1 ? 1 : 0, "a rank's number"),
               std::runtime_error);
  // Ranks that pass tensors of different widths are told, not corrupted.
  EXPECT_THROW(comm.all_gather(torch::zeros({1, r == 0 ? 2 : 3})), std::invalid_argument);
}

TEST(MpiLaunch, CollectivesOnThreeRanks) {
  const std::string mpiexec = DISCO_MPIEXEC;
  if (mpiexec.empty()) GTEST_SKIP() << "built without MPI";
  if (launched_by_mpi()) GTEST_SKIP() << "already under mpirun";
  const std::string cmd = "timeout 120 " + mpiexec +
                          " --allow-run-as-root --oversubscribe --bind-to none -np 3 " +
                          DISCO_TEST_BINARY + " --gtest_color=no --gtest_filter=MpiCollectives.* 2>&1";
  disco_test::Result r{-1, ""};
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
  const int status = pclose(pipe);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << r.output;
  // Each rank ran the test (none skipped it) and passed.
  int passed = 0;
  for (size_t at = 0; (at = r.output.find("[       OK ] MpiCollectives.", at)) != std::string::npos; ++at) {
    ++passed;
  }
  EXPECT_EQ(passed, 3) << r.output;
  EXPECT_EQ(r.output.find("SKIPPED"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace disco::dist
