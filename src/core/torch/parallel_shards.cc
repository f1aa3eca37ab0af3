#include "core/parallel_shards.h"

#include <torch/torch.h>

#include <exception>
#include <thread>
#include <vector>

namespace disco {

void parallel_shards(int n, const std::function<void(int)>& work) {
  if (n <= 1) {
    work(0);
    return;
  }
  const bool grad_mode = torch::GradMode::is_enabled();
  std::vector<std::exception_ptr> errors(n);
  const auto run = [&](int k) {
    try {
      torch::AutoGradMode mode(grad_mode);
      work(k);
    } catch (...) {
      errors[k] = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(n - 1);
  for (int k = 1; k < n; ++k) threads.emplace_back(run, k);
  run(0);
  for (auto& t : threads) t.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace disco
