// How a process spends its cores on LibTorch work.
//
// Debian's LibTorch runs element-wise kernels on its OpenMP pool and matrix
// products on OpenBLAS's pthreads. With both pools on the same cores their
// idle threads spin against each other and against the work (a quarter of a
// learner step's samples were OpenBLAS's sched_yield on 2 cores), and the
// element-wise half of a learner step runs on one core whatever the setting.
// The plan that measured best instead gives each core one thread that owns it
// for a whole phase: one LibTorch thread and one OpenBLAS thread per call, and
// the learner splits the agent network's rows into `learner_shards()` blocks
// computed side by side (agent/sharded_unroll.h). One shard is the sequential
// learner. Results depend on the shard count (sums of partial matrix
// products round differently), never on timing: a run is bit-identical for
// the same seed, config and thread count.
#pragma once

namespace disco {

// n > 0 threads, n <= 0 one per core. Sets LibTorch and OpenBLAS to one
// thread each for n > 1 (the shards run side by side) and for n = 1.
void use_threads(int n);

// The learner's shard count of the current plan (1 before use_threads).
int learner_shards();

// The threads of the current plan (1 before use_threads): what meta-training
// runs its agents side by side on.
int planned_threads();

// This machine's core count (at least 1).
int core_count();

}  // namespace disco
