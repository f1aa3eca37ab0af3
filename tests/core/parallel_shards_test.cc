// parallel_shards runs every index once on the plan's threads with the
// caller's autograd mode, and rethrows a worker's exception; the thread plan
// sets one LibTorch and one OpenBLAS thread and a block count that does not
// depend on the threads.
#include "core/parallel_shards.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "core/blas_threads.h"
#include "core/thread_plan.h"

namespace disco {
namespace {

TEST(ParallelShards, RunsEveryIndexOnceOnThePlansThreads) {
  for (const int planned : {4, 2, 1}) {
    use_threads(planned);
    std::mutex mutex;
    std::multiset<int> seen;
    std::set<std::thread::id> threads;
    parallel_shards(4, [&](int k) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // let the others start
      std::lock_guard<std::mutex> lock(mutex);
      seen.insert(k);
      threads.insert(std::this_thread::get_id());
    });
    EXPECT_EQ(seen, (std::multiset<int>{0, 1, 2, 3})) << planned;
    EXPECT_LE(threads.size(), static_cast<size_t>(planned)) << planned;
    EXPECT_GE(threads.size(), planned > 1 ? 2u : 1u) << planned;
    EXPECT_TRUE(threads.count(std::this_thread::get_id())) << planned;  // the caller works too
  }
  use_threads(4);  // the other tests of this file want helpers
}

TEST(ParallelShards, WorkersStartWithTheCallersGradMode) {
  std::atomic<int> enabled{0};
  {
    torch::NoGradGuard no_grad;
    parallel_shards(3, [&](int) { enabled += torch::GradMode::is_enabled(); });
  }
  EXPECT_EQ(enabled.load(), 0);
  parallel_shards(3, [&](int) { enabled += torch::GradMode::is_enabled(); });
  EXPECT_EQ(enabled.load(), 3);
}

TEST(ParallelShards, RethrowsTheLowestFailingShardsErrorAfterAllFinish) {
  std::atomic<int> finished{0};
  try {
    parallel_shards(3, [&](int k) {
      ++finished;
      if (k >= 1) throw std::runtime_error("shard " + std::to_string(k));
    });
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "shard 1");
  }
  EXPECT_EQ(finished.load(), 3);
}

TEST(ParallelTasks, RunsEveryIndexOnceOnAtMostTheThreadsGiven) {
  for (const int threads : {1, 2, 3, 9}) {
    std::mutex mutex;
    std::multiset<int> seen;
    std::set<std::thread::id> used;
    parallel_tasks(7, threads, [&](int k) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));  // let the others start
      std::lock_guard<std::mutex> lock(mutex);
      seen.insert(k);
      used.insert(std::this_thread::get_id());
    });
    EXPECT_EQ(seen, (std::multiset<int>{0, 1, 2, 3, 4, 5, 6})) << threads;
    EXPECT_LE(used.size(), static_cast<size_t>(std::min(threads, 7))) << threads;
    if (threads == 1) EXPECT_TRUE(used.count(std::this_thread::get_id()));
  }
  std::atomic<int> calls{0};
  parallel_tasks(0, 4, [&](int) { ++calls; });
  EXPECT_EQ(calls.load(), 0);
}

TEST(ParallelTasks, RethrowsTheLowestFailingIndexAfterAllFinish) {
  std::atomic<int> finished{0};
  try {
    parallel_tasks(6, 3, [&](int k) {
      ++finished;
      if (k == 2 || k == 4) throw std::runtime_error("task " + std::to_string(k));
    });
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "task 2");
  }
  EXPECT_EQ(finished.load(), 6);
}

TEST(ThreadPlan, OneThreadPerCallAndABlockCountThatIgnoresTheThreads) {
  use_threads(3);
  EXPECT_EQ(learner_shards(), kLearnerBlocks);
  EXPECT_EQ(planned_threads(), 3);
  EXPECT_EQ(torch::get_num_threads(), 1);
  if (blas_threads() > 0) {
    EXPECT_EQ(blas_threads(), 1);
  }
  use_threads(1);
  EXPECT_EQ(learner_shards(), kLearnerBlocks);
  use_threads(0);
  EXPECT_EQ(planned_threads(), core_count());
  EXPECT_GE(core_count(), 1);
}

}  // namespace
}  // namespace disco
