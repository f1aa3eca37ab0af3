// Runs work(0..n-1) side by side on up to planned_threads() threads
// (core/thread_plan.h), the calling thread among them, joined before
// returning: parallel_tasks below with the plan's threads. Callers split
// their work into a number of blocks fixed by the problem, never by the
// thread count, and join the blocks' results in block order, so results do
// not depend on how many threads ran them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>

namespace disco {

void parallel_shards(int n, const std::function<void(int)>& work);

// Runs work(0..n-1), each index once, on up to `threads` threads (the
// caller's among them; threads <= 0 means one per core). Threads take the
// next index as they finish one, so which thread runs an index varies: work(k)
// must depend on k alone, and callers that join results do so by index. Each
// thread starts with the caller's autograd mode (LibTorch keeps it per
// thread, and a new thread would otherwise record graphs the caller switched
// off); the failing index lowest in order has its exception rethrown after
// all have finished.
void parallel_tasks(int n, int threads, const std::function<void(int)>& work);

// How callers split `rows` rows (time steps, trajectories) for up to
// `shards` threads: block_count near-equal contiguous blocks (at least 1, at
// most one per row), block k covering [start, start + length).
struct RowBlock {
  int64_t start = 0;
  int64_t length = 0;
};

inline int block_count(int64_t rows, int shards) {
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(shards, rows)));
}

inline RowBlock row_block(int64_t rows, int count, int k) {
  const int64_t start = rows * k / count;
  return {start, rows * (k + 1) / count - start};
}

}  // namespace disco
