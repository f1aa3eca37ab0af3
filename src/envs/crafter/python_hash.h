// CPython's hash of an int and of a tuple of two ints (CPython 3.8+, 64-bit
// builds), for Crafter's episode seeds: the original seeds episode k of
// `Env(seed=s)` with `hash((s, k)) % (2**31 - 1)`.
//
// Reference: CPython `Objects/longobject.c` (long_hash: the value modulo the
// Mersenne prime 2^61 - 1, sign kept, -1 mapped to -2) and
// `Objects/tupleobject.c` (tuplehash, the xxHash-based one of 3.8+).
// Examples (checked against CPython): hash((0, 1)) % (2**31-1) = 1256191933,
// hash((1, 1)) % ... = 535231920, hash((42, 1)) % ... = 550904604.
#pragma once

#include <cstdint>

namespace disco::crafter {

// hash(v) for a Python int v.
int64_t python_int_hash(int64_t v);
// hash((a, b)).
int64_t python_tuple_hash(int64_t a, int64_t b);
// hash((env_seed, episode)) % (2**31 - 1), Python's (non-negative) modulo:
// the world seed of episode `episode` (1 for the first reset).
uint32_t crafter_world_seed(int64_t env_seed, int64_t episode);

}  // namespace disco::crafter
