// Runs work(0..n-1) side by side: shard 0 on the calling thread, the others
// on threads of their own, joined before returning. Each thread starts with
// the caller's autograd mode (LibTorch keeps it per thread, and a new thread
// would otherwise record graphs the caller switched off). The first failing
// shard's exception (lowest index) is rethrown after all have finished.
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
// thread starts with the caller's autograd mode; the failing index lowest in
// order has its exception rethrown after all have finished.
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
