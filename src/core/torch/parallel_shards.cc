#include "core/parallel_shards.h"

#include <torch/torch.h>

#include <atomic>
#include <algorithm>
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

void parallel_tasks(int n, int threads, const std::function<void(int)>& work) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::min(threads, n);
  if (threads <= 1) {
    for (int k = 0; k < n; ++k) work(k);
    return;
  }
  std::atomic<int> next{0};
  std::vector<std::exception_ptr> errors(n);
  parallel_shards(threads, [&](int) {
    for (int k = next++; k < n; k = next++) {
      try {
        work(k);
      } catch (...) {
        errors[k] = std::current_exception();
      }
    }
  });
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace disco
