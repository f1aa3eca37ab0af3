// A small, fast, seedable random number generator whose whole state is four
// 64-bit words, so environments and actors can save and restore it exactly.
//
// xoshiro256** (Blackman & Vigna, "Scrambled linear pseudorandom number
// generators", 2018), seeded through splitmix64 as its authors recommend.
#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>

namespace disco {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0) { seed_with(seed); }

  void seed_with(uint64_t seed) {
    uint64_t x = seed;
    for (auto& word : s_) word = splitmix64(x);
  }

  uint64_t next_u64() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform integer in [0, n), n > 0 (Lemire's multiply-shift, bias < 2^-32 for small n).
  int uniform_int(int n) {
    return static_cast<int>((static_cast<__uint128_t>(next_u64()) * static_cast<uint64_t>(n)) >> 64);
  }
  // Uniform integer in [lo, hi] inclusive.
  int uniform_int(int lo, int hi) { return lo + uniform_int(hi - lo + 1); }

  // Uniform double in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

  bool bernoulli(double p) { return uniform() < p; }

  // Derives an independent generator (for a child stream such as env i).
  Rng split(uint64_t stream) {
    uint64_t x = next_u64() ^ (0x9E3779B97F4A7C15ull * (stream + 1));
    return Rng(splitmix64(x));
  }

  using State = std::array<uint64_t, 4>;
  const State& state() const { return s_; }
  // Throws std::invalid_argument for the all-zero state, which no seed gives:
  // xoshiro256** stays there, returning 0 forever (and a caller drawing until
  // it gets a different number hangs).
  void set_state(const State& s) {
    if (s == State{}) throw std::invalid_argument("generator state is all zero (not a saved state)");
    s_ = s;
  }

  bool operator==(const Rng& other) const { return s_ == other.s_; }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  State s_{};
};

}  // namespace disco
