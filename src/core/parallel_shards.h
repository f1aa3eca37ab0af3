// Runs work(0..n-1) side by side: shard 0 on the calling thread, the others
// on threads of their own, joined before returning. Each thread starts with
// the caller's autograd mode (LibTorch keeps it per thread, and a new thread
// would otherwise record graphs the caller switched off). The first failing
// shard's exception (lowest index) is rethrown after all have finished.
#pragma once

#include <functional>

namespace disco {

void parallel_shards(int n, const std::function<void(int)>& work);

}  // namespace disco
