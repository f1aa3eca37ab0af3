#include "meta/checkpoint_schedule.h"

#include <limits>
#include <stdexcept>

namespace disco {

CheckpointSchedule::CheckpointSchedule(int64_t n, int64_t slots) : n_(n), slots_(slots) {
  if (n < 1) throw std::invalid_argument("checkpoint schedule: need at least one update");
  if (slots < 0) throw std::invalid_argument("checkpoint schedule: negative slot count");
  if (slots_ > n_) slots_ = n_;  // more slots than updates never help
  const size_t size = static_cast<size_t>((n_ + 1) * (slots_ + 1) * 2);
  cost_.assign(size, 0);
  split_.assign(size, 0);
  for (int64_t len = 2; len <= n_; ++len) {
    for (int64_t free = 0; free <= slots_; ++free) {
      for (bool sweep : {false, true}) {
        auto& c = cost_[index(len, free, sweep)];
        if (free == 0) {
          c = len * (len - 1) / 2;
          continue;
        }
        c = std::numeric_limits<int64_t>::max();
        for (int64_t m = 1; m < len; ++m) {
          const int64_t advance = sweep ? 0 : m;
          const int64_t total = advance + cost(len - m, free - 1, sweep) + cost(m, free, false);
          if (total < c) {
            c = total;
            split_[index(len, free, sweep)] = m;
          }
        }
      }
    }
  }
}

size_t CheckpointSchedule::index(int64_t length, int64_t free, bool on_sweep) const {
  return static_cast<size_t>((length * (slots_ + 1) + free) * 2 + (on_sweep ? 1 : 0));
}

int64_t CheckpointSchedule::cost(int64_t length, int64_t free, bool on_sweep) const {
  if (length <= 1) return 0;
  return cost_[index(length, free < slots_ ? free : slots_, on_sweep)];
}

int64_t CheckpointSchedule::split(int64_t length, int64_t free, bool on_sweep) const {
  if (length < 2 || length > n_ || free < 1) {
    throw std::invalid_argument("checkpoint schedule: no split for this length and slot count");
  }
  return split_[index(length, free < slots_ ? free : slots_, on_sweep)];
}

std::vector<int64_t> CheckpointSchedule::sweep_positions() const {
  std::vector<int64_t> positions = {0};
  int64_t lo = 0, free = slots_;
  while (free > 0 && n_ - lo >= 2) {
    lo += split(n_ - lo, free, true);
    positions.push_back(lo);
    --free;
  }
  return positions;
}

}  // namespace disco
