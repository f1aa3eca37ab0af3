#include "envs/crafter/python_hash.h"

#include <initializer_list>

namespace disco::crafter {

namespace {
constexpr uint64_t kModulus = (uint64_t{1} << 61) - 1;  // _PyHASH_MODULUS
constexpr uint64_t kPrime1 = 11400714785074694791ull;   // _PyHASH_XXPRIME_1
constexpr uint64_t kPrime2 = 14029467366897019727ull;   // _PyHASH_XXPRIME_2
constexpr uint64_t kPrime5 = 2870177450012600261ull;    // _PyHASH_XXPRIME_5

uint64_t rotl31(uint64_t x) { return (x << 31) | (x >> 33); }
}  // namespace

int64_t python_int_hash(int64_t v) {
  // |v| as unsigned (INT64_MIN included), reduced modulo 2^61 - 1.
  const uint64_t magnitude =
      v < 0 ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  int64_t h = static_cast<int64_t>(magnitude % kModulus);
  if (v < 0) h = -h;
  return h == -1 ? -2 : h;
}

int64_t python_tuple_hash(int64_t a, int64_t b) {
  uint64_t acc = kPrime5;
  for (const int64_t item : {a, b}) {
    const uint64_t lane = static_cast<uint64_t>(python_int_hash(item));
    acc += lane * kPrime2;
    acc = rotl31(acc);
    acc *= kPrime1;
  }
  acc += uint64_t{2} ^ (kPrime5 ^ 3527539ull);
  if (acc == ~uint64_t{0}) return 1546275796;
  return static_cast<int64_t>(acc);
}

uint32_t crafter_world_seed(int64_t env_seed, int64_t episode) {
  constexpr int64_t kMod = (int64_t{1} << 31) - 1;
  int64_t r = python_tuple_hash(env_seed, episode) % kMod;
  if (r < 0) r += kMod;
  return static_cast<uint32_t>(r);
}

}  // namespace disco::crafter
