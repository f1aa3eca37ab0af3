#include "core/thread_plan.h"

#include <torch/torch.h>

#include <atomic>
#include <thread>

#include "core/blas_threads.h"

namespace disco {
namespace {
std::atomic<int> g_threads{1};
}  // namespace

int core_count() {
  const unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

void use_threads(int n) {
  if (n <= 0) n = core_count();
  torch::set_num_threads(1);
  set_blas_threads(1);
  g_threads = n;
}

int learner_shards() { return kLearnerBlocks; }

int planned_threads() { return g_threads; }

}  // namespace disco
