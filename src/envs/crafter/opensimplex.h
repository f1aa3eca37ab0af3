// OpenSimplex noise in three dimensions, as Crafter's world generation uses
// it: Kurt Spencer's 2014 OpenSimplex (public domain) in the Python port
// lmas/opensimplex, v0.3 `noise3d` (== v0.4.5 `noise3`, bit for bit). Every
// floating-point operation follows that port's order, so noise3 returns the
// same double as the Python code for the same seed and point.
//
// Seeding (the port's): a 64-bit LCG (multiplier 6364136223846793005,
// increment 1442695040888963407, wrapping as a signed 64-bit integer) steps
// three times, then once per i = 255..0, each step picking
// r = (state + 31) mod (i + 1) (exact, non-negative) to build the
// permutation; the gradient index of a permutation entry p is (p mod 24) * 3.
//
// noise3_batch evaluates many points at one z, four at a time with AVX2
// where the CPU has it (opensimplex_batch.cc): every lane does the very
// operations of noise3 in the same order, with the region's branches turned
// into selections, so the values are noise3's to the last bit (a test checks
// it). No fused multiply-add may creep in: the files doing this arithmetic
// switch contraction off.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace disco::crafter {

class OpenSimplex {
 public:
  explicit OpenSimplex(int64_t seed = 0);
  void seed_with(int64_t seed);

  // Noise at (x, y, z), roughly in [-1, 1].
  double noise3(double x, double y, double z) const;
  // out[i] = noise3(x[i], y[i], z) for i < n, bit for bit (vectorised where
  // the CPU allows).
  void noise3_batch(const double* x, const double* y, double z, int n, double* out) const;

  // Whether noise3_batch uses the AVX2 kernel on this CPU.
  static bool batch_vectorised();

 private:
  friend struct OpenSimplexKernel;  // opensimplex_batch.cc
  double extrapolate(int xsb, int ysb, int zsb, double dx, double dy, double dz) const;
  // Makes hash_box_ cover lattice x in [x_lo, x_hi] and y in [y_lo, y_hi];
  // false if that box is larger than its fixed capacity.
  bool cover(int x_lo, int x_hi, int y_lo, int y_hi) const;

  std::array<uint8_t, 256> perm_{};
  std::array<uint8_t, 256> grad_index_{};  // (perm mod 24) * 3
  // For the kernel: the gradient of each final hash h = (perm[(perm[x] + y)]
  // + z) & 255, its three components as signed bytes in one word (bits 0-7
  // x, 8-15 y, 16-23 z), and the first two hash steps
  // perm[(perm[x & 255] + y) & 255] over a box of lattice (x, y) cells
  // (rebuilt when a batch needs more; storage reserved once).
  std::array<int32_t, 256> grad_packed_{};
  static constexpr int kBoxCapacity = 160 * 160;
  mutable std::vector<int32_t> hash_box_;
  mutable int box_x_lo_ = 0, box_x_hi_ = -1, box_y_lo_ = 0, box_y_hi_ = -1;
};

}  // namespace disco::crafter
