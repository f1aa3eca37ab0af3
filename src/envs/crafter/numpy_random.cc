#include "envs/crafter/numpy_random.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace disco::crafter {

namespace {
constexpr int kShift = 397;  // M of MT19937
constexpr uint32_t kMatrixA = 0x9908b0dfu;
constexpr uint32_t kUpper = 0x80000000u;
constexpr uint32_t kLower = 0x7fffffffu;

inline uint32_t mix(uint32_t upper_word, uint32_t lower_word, uint32_t far_word) {
  const uint32_t y = (upper_word & kUpper) | (lower_word & kLower);
  return far_word ^ (y >> 1) ^ ((0u - (y & 1u)) & kMatrixA);
}
}  // namespace

void NumpyRandomState::seed_with(uint32_t seed) {
  // init_genrand, as NumPy's mt19937_seed.
  uint32_t s = seed;
  for (int i = 0; i < kWords; ++i) {
    state_.key[i] = s;
    s = 1812433253u * (s ^ (s >> 30)) + static_cast<uint32_t>(i + 1);
  }
  state_.pos = kWords;
}

void NumpyRandomState::twist() {
  uint32_t* k = state_.key.data();
  // Three plain loops the compiler can vectorise: in each, the words read
  // ahead (i + 1, i + M or i + M - N) are either not yet rewritten or were
  // rewritten at least 227 words earlier.
  for (int i = 0; i < kWords - kShift; ++i) k[i] = mix(k[i], k[i + 1], k[i + kShift]);
  for (int i = kWords - kShift; i < kWords - 1; ++i) {
    k[i] = mix(k[i], k[i + 1], k[i + kShift - kWords]);
  }
  k[kWords - 1] = mix(k[kWords - 1], k[0], k[kShift - 1]);
  state_.pos = 0;
}

int64_t NumpyRandomState::randint(int64_t low, int64_t high) {
  if (high <= low) {
    throw std::invalid_argument("randint: empty range [" + std::to_string(low) + ", " +
                                std::to_string(high) + ")");
  }
  const uint64_t rng = static_cast<uint64_t>(high - low - 1);
  if (rng == 0) return low;
  if (rng > 0xffffffffull) throw std::invalid_argument("randint: range wider than 2^32");
  if (rng == 0xffffffffull) return low + next_u32();
  uint32_t mask = static_cast<uint32_t>(rng);
  mask |= mask >> 1;
  mask |= mask >> 2;
  mask |= mask >> 4;
  mask |= mask >> 8;
  mask |= mask >> 16;
  uint32_t v;
  while ((v = (next_u32() & mask)) > rng) {
  }
  return low + static_cast<int64_t>(v);
}

void NumpyRandomState::discard(uint64_t n) {
  while (n > 0) {
    if (state_.pos == kWords) twist();
    const uint64_t k = std::min<uint64_t>(n, static_cast<uint64_t>(kWords - state_.pos));
    state_.pos += static_cast<int32_t>(k);
    n -= k;
  }
}

void NumpyRandomState::set_state(const State& s) {
  if (s.pos < 0 || s.pos > kWords) {
    throw std::invalid_argument("numpy random state: position " + std::to_string(s.pos) +
                                " outside [0, 624]");
  }
  state_ = s;
}

}  // namespace disco::crafter
