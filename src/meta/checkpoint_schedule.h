// Where to keep states when differentiating through N inner updates with a
// bounded number of stored states (binomial checkpointing: Griewank 1992,
// "Achieving logarithmic growth of temporal and spatial complexity in
// reverse automatic differentiation"; Griewank & Walther's `revolve`).
//
// Reversing updates [lo, hi) given the state before update lo and `free`
// more state slots: store the state before update m = lo + split, reverse
// [m, hi) with free - 1 slots, drop it, reverse [lo, m) with free slots.
// With no slot left, every update's input is recomputed from lo. The splits
// minimise the number of recomputed (graph-free) updates, found by a small
// dynamic programme over (length, free slots), exact for every N:
//   cost(n, 0) = n (n - 1) / 2
//   cost(n, s) = min over m of  m + cost(n - m, s - 1) + cost(m, s)
// The forward sweep that produces θ_N passes every point of the rightmost
// chain of splits on its way, so the states there are stored during it and
// those advances cost nothing (`on_sweep`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace disco {

// States kept besides the first when checkpointing (the setting
// `checkpoint_slots`); docs/meta_training.md has the measured trade-off.
constexpr int64_t kDefaultCheckpointSlots = 3;

class CheckpointSchedule {
 public:
  // n: inner updates (>= 1); slots: stored states besides the first (>= 0).
  CheckpointSchedule(int64_t n, int64_t slots);

  // The split for reversing `length` updates with `free` slots (length >= 2,
  // free >= 1): the next stored state is `split` updates after the start.
  int64_t split(int64_t length, int64_t free, bool on_sweep) const;

  // The updates recomputed without a graph in the backward pass, in all.
  int64_t recomputed_updates() const { return cost(n_, slots_, true); }

  // Positions (update indices) whose input states the forward sweep keeps:
  // 0 and the rightmost chain of splits.
  std::vector<int64_t> sweep_positions() const;

  int64_t slots() const { return slots_; }

 private:
  int64_t cost(int64_t length, int64_t free, bool on_sweep) const;
  size_t index(int64_t length, int64_t free, bool on_sweep) const;

  int64_t n_, slots_;
  std::vector<int64_t> cost_, split_;  // by index(length, free, on_sweep)
};

}  // namespace disco
