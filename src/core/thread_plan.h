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
// computed side by side (agent/sharded_unroll.h; core/parallel_shards.h runs
// them on up to planned_threads() threads). One shard is the sequential
// learner. Results depend on the block count (sums of partial matrix products
// round differently), which is fixed, never on the thread count or on timing:
// a run is bit-identical for the same seed and config on any number of
// threads.
#pragma once

namespace disco {

// n > 0 threads, n <= 0 one per core. Sets LibTorch and OpenBLAS to one
// thread each.
void use_threads(int n);

// The learner's block count on a CPU: kLearnerBlocks, whatever the threads
// (block_count then takes fewer where a problem has fewer rows).
constexpr int kLearnerBlocks = 4;
int learner_shards();

// The threads of the current plan (1 before use_threads): what blocks side
// by side and meta-training's agents run on.
int planned_threads();

// This machine's core count (at least 1).
int core_count();

}  // namespace disco
