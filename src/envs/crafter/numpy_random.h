// NumPy's legacy `numpy.random.RandomState` (MT19937) with the arithmetic of
// the draws Crafter uses, so that a C++ world makes the very same random
// decisions as the Python original for the same seed.
//
// Reference: Matsumoto & Nishimura, "Mersenne Twister" (1998); NumPy 1.x
// `numpy/random/_mt19937.pyx` (`_legacy_seeding`), `src/mt19937/mt19937.c`,
// `src/distributions/distributions.c` (`random_standard_uniform`,
// `random_uniform`, `random_bounded_uint64_fill` with `use_masked=True`).
//
//   RandomState(seed)     seed in [0, 2^32): init_genrand(seed), the same
//                         stream as std::mt19937(seed)
//   random_sample()       (a >> 5, b >> 6 of two 32-bit outputs):
//                         (a * 2^26 + b) / 2^53, in [0, 1)
//   uniform(lo, hi)       lo + (hi - lo) * random_sample()
//   randint(lo, hi)       an integer in [lo, hi): with n = hi - lo - 1 and
//                         mask = the smallest 2^k - 1 >= n, draws 32-bit
//                         outputs until (output & mask) <= n; no draw when
//                         n == 0 (hi - lo <= 2^32 here)
//   discard(n)            skips n 32-bit outputs without tempering them (the
//                         state ends where n draws would leave it)
//
// The state is 624 words and a position; save/load it with state().
#pragma once

#include <array>
#include <cstdint>

namespace disco::crafter {

class NumpyRandomState {
 public:
  static constexpr int kWords = 624;
  struct State {
    std::array<uint32_t, kWords> key{};
    int32_t pos = kWords;
    bool operator==(const State& o) const { return pos == o.pos && key == o.key; }
  };

  explicit NumpyRandomState(uint32_t seed = 0) { seed_with(seed); }

  void seed_with(uint32_t seed);

  uint32_t next_u32() {
    if (state_.pos == kWords) twist();
    uint32_t y = state_.key[state_.pos++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
  }

  double random_sample() {
    const uint32_t a = next_u32() >> 5;
    const uint32_t b = next_u32() >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }
  double uniform() { return random_sample(); }
  double uniform(double low, double high) {
    const double range = high - low;
    return low + range * random_sample();
  }

  // Integer in [low, high), high > low, high - low <= 2^32.
  int64_t randint(int64_t low, int64_t high);

  void discard(uint64_t n);

  const State& state() const { return state_; }
  // Throws std::invalid_argument for a position outside [0, 624].
  void set_state(const State& s);

 private:
  void twist();
  State state_;
};

}  // namespace disco::crafter
