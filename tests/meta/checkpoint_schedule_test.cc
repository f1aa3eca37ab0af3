// The binomial checkpointing schedule, executed symbolically: the backward
// pass visits the updates in reverse order, never holds more states than
// its slots allow, and recomputes exactly the number of updates it claims,
// which is the optimum (checked against an independent search).
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <vector>

#include "meta/checkpoint_schedule.h"

namespace disco {
namespace {

struct Trace {
  std::vector<int64_t> backsteps;  // the order updates are differentiated in
  int64_t recomputed = 0;          // graph-free updates after the sweep
  size_t most_stored = 0;          // most states held at once
};

// Walks the schedule as meta_gradient.cc does, counting instead of computing.
Trace run(int64_t n, int64_t slots) {
  const CheckpointSchedule schedule(n, slots);
  const auto positions = schedule.sweep_positions();
  std::set<int64_t> stored(positions.begin(), positions.end());
  Trace t;
  t.most_stored = stored.size();
  std::function<void(int64_t, int64_t, int64_t, bool)> reverse = [&](int64_t lo, int64_t hi,
                                                                     int64_t free, bool sweep) {
    EXPECT_TRUE(stored.count(lo)) << "no state stored before update " << lo;
    if (hi - lo == 1) return t.backsteps.push_back(lo);
    if (free == 0) {
      for (int64_t k = hi - 1; k >= lo; --k) {
        t.recomputed += k - lo;
        t.backsteps.push_back(k);
      }
      return;
    }
    const int64_t m = lo + schedule.split(hi - lo, free, sweep);
    EXPECT_GT(m, lo);
    EXPECT_LT(m, hi);
    if (sweep) {
      EXPECT_TRUE(stored.count(m)) << "the sweep did not keep the state before " << m;
    } else {
      t.recomputed += m - lo;
      stored.insert(m);
    }
    t.most_stored = std::max(t.most_stored, stored.size());
    reverse(m, hi, free - 1, sweep);
    stored.erase(m);
    reverse(lo, m, free, false);
  };
  reverse(0, n, schedule.slots(), true);
  return t;
}

// The fewest recomputed updates by exhaustive search over every split,
// written independently of the schedule's tables.
int64_t fewest(int64_t n, int64_t free, bool sweep) {
  if (n <= 1) return 0;
  if (free == 0) return n * (n - 1) / 2;
  int64_t best = -1;
  for (int64_t m = 1; m < n; ++m) {
    const int64_t c = (sweep ? 0 : m) + fewest(n - m, free - 1, sweep) + fewest(m, free, false);
    if (best < 0 || c < best) best = c;
  }
  return best;
}

TEST(CheckpointSchedule, ReversesEveryUpdateOnceWithinItsSlots) {
  for (int64_t n : {1, 2, 3, 5, 8, 13, 20}) {
    for (int64_t slots : {0, 1, 2, 3, 4, 25}) {
      const auto t = run(n, slots);
      std::vector<int64_t> expected;
      for (int64_t k = n - 1; k >= 0; --k) expected.push_back(k);
      EXPECT_EQ(t.backsteps, expected) << "n " << n << ", slots " << slots;
      EXPECT_LE(t.most_stored, static_cast<size_t>(std::min(slots, n) + 1))
          << "n " << n << ", slots " << slots;
      const CheckpointSchedule schedule(n, slots);
      EXPECT_EQ(t.recomputed, schedule.recomputed_updates()) << "n " << n << ", slots " << slots;
    }
  }
}

TEST(CheckpointSchedule, RecomputesTheFewestUpdates) {
  for (int64_t n : {2, 7, 12}) {
    for (int64_t slots : {1, 2, 3}) {
      EXPECT_EQ(CheckpointSchedule(n, slots).recomputed_updates(), fewest(n, slots, true))
          << "n " << n << ", slots " << slots;
    }
  }
  // Worked figures at N = 20: every input recomputed from the first state
  // costs 0 + 1 + ... + 19; one slot per update costs nothing.
  EXPECT_EQ(CheckpointSchedule(20, 0).recomputed_updates(), 190);
  EXPECT_EQ(CheckpointSchedule(20, 20).recomputed_updates(), 0);
  EXPECT_LT(CheckpointSchedule(20, 3).recomputed_updates(),
            CheckpointSchedule(20, 2).recomputed_updates());
}

TEST(CheckpointSchedule, RefusesBadCounts) {
  EXPECT_THROW(CheckpointSchedule(0, 1), std::invalid_argument);
  EXPECT_THROW(CheckpointSchedule(5, -1), std::invalid_argument);
}

}  // namespace
}  // namespace disco
