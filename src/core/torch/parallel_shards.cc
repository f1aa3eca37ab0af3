#include "core/parallel_shards.h"

#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>
#include <vector>

#include "core/thread_plan.h"

namespace disco {

void parallel_tasks(int n, int threads, const std::function<void(int)>& work) {
  if (threads <= 0) threads = core_count();
  threads = std::max(1, std::min(threads, n));
  std::vector<std::exception_ptr> errors(std::max(n, 0));
  std::atomic<int> next{0};
  const bool grad_mode = torch::GradMode::is_enabled();
  const auto take_tasks = [&] {
    torch::AutoGradMode mode(grad_mode);
    for (int k = next++; k < n; k = next++) {
      try {
        work(k);
      } catch (...) {
        errors[k] = std::current_exception();
      }
    }
  };
  std::vector<std::thread> helpers;
  helpers.reserve(threads - 1);
  for (int t = 1; t < threads; ++t) helpers.emplace_back(take_tasks);
  take_tasks();
  for (auto& t : helpers) t.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

void parallel_shards(int n, const std::function<void(int)>& work) {
  parallel_tasks(n, planned_threads(), work);
}

}  // namespace disco
