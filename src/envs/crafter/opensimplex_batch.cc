// OpenSimplex::noise3_batch: noise3 over many points, four at a time with
// AVX2 (chosen at run time; other CPUs and other architectures take the
// scalar noise3 for every point).
//
// Bit for bit noise3. The scalar code's branches pick, per region of the
// honeycomb, which lattice vertices contribute and in which order their
// contributions are added. Here every lane goes through eight addition slots
// whose vertex is selected per lane: slots 1-6 the simplex's own vertices
// (regions with four of them add +0.0 in slots 5 and 6, which changes no
// sum), slots 7 and 8 the two extra vertices. Each offset is computed by the
// scalar code's expression; they all have the form
//   d = ((d0 - (i - m)) - s * SQUISH) - m
// for a lattice offset i, a squish multiple s and a late step m that is 0
// except where the scalar code adjusts an offset after the fact
// (`dy_ext1 -= 1`, `dx_ext1 -= 2`), so every lane performs exactly the
// operations the scalar code performs for its point.
#include <algorithm>
#include <cmath>

#include "envs/crafter/opensimplex.h"

// Exact IEEE arithmetic: no fused multiply-adds, whatever -march allows.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define DISCO_CRAFTER_AVX2 1
#include <immintrin.h>
#else
#define DISCO_CRAFTER_AVX2 0
#endif

namespace disco::crafter {

namespace {
constexpr double kStretch = -1.0 / 6;
constexpr double kSquish = 1.0 / 3;
constexpr double kNorm = 103;
}  // namespace

#if DISCO_CRAFTER_AVX2

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2")
#endif

namespace {

using V = __m256d;  // four doubles; masks are all-ones / all-zeros lanes

inline V set1(double v) { return _mm256_set1_pd(v); }
inline V gt(V a, V b) { return _mm256_cmp_pd(a, b, _CMP_GT_OQ); }
inline V ge(V a, V b) { return _mm256_cmp_pd(a, b, _CMP_GE_OQ); }
inline V lt(V a, V b) { return _mm256_cmp_pd(a, b, _CMP_LT_OQ); }
inline V le(V a, V b) { return _mm256_cmp_pd(a, b, _CMP_LE_OQ); }
inline V And(V a, V b) { return _mm256_and_pd(a, b); }
inline V Or(V a, V b) { return _mm256_or_pd(a, b); }
inline V Xor(V a, V b) { return _mm256_xor_pd(a, b); }
inline V Not(V a) { return _mm256_xor_pd(a, _mm256_castsi256_pd(_mm256_set1_epi64x(-1))); }
inline V AndNot(V a, V b) { return _mm256_andnot_pd(a, b); }  // !a & b
// m ? a : b, lane by lane.
inline V sel(V m, V a, V b) { return _mm256_blendv_pd(b, a, m); }
inline V sel(V m, double a, double b) { return sel(m, set1(a), set1(b)); }
inline V sel(V m, double a, V b) { return sel(m, set1(a), b); }
inline V sel(V m, V a, double b) { return sel(m, a, set1(b)); }

constexpr double kS1 = kSquish;
constexpr double kS2 = 2 * kSquish;
constexpr double kS3 = 3 * kSquish;

// A lattice vertex of an addition slot: offsets (i, j, k) from the
// super-cell origin, s * SQUISH, the late steps and whether it adds at all.
struct Vertex {
  V i, j, k, ss, mx, my, mz, active;
};

Vertex body(double i, double j, double k, double ss) {
  const V zero = _mm256_setzero_pd();
  return {set1(i), set1(j), set1(k), set1(ss), zero, zero, zero, Not(zero)};
}

struct Point {
  V xsb, ysb, zsb;  // super-cell origin (integers)
  V dx0, dy0, dz0;  // offsets from it
  V xins, yins, zins, in_sum;
};

}  // namespace

struct OpenSimplexKernel {
  const OpenSimplex& s;
  __m128i box_x_lo, box_y_lo, box_h;

  explicit OpenSimplexKernel(const OpenSimplex& simplex)
      : s(simplex),
        box_x_lo(_mm_set1_epi32(simplex.box_x_lo_)),
        box_y_lo(_mm_set1_epi32(simplex.box_y_lo_)),
        box_h(_mm_set1_epi32(simplex.box_y_hi_ - simplex.box_y_lo_ + 1)) {}

  // attn^4 * (gradient . offset) of a vertex, +0.0 where it does not reach.
  V contribution(const Point& p, const Vertex& v) const {
    const V dx = ((p.dx0 - (v.i - v.mx)) - v.ss) - v.mx;
    const V dy = ((p.dy0 - (v.j - v.my)) - v.ss) - v.my;
    const V dz = ((p.dz0 - (v.k - v.mz)) - v.ss) - v.mz;
    const V attn = ((set1(2) - dx * dx) - dy * dy) - dz * dz;
    const V on = And(v.active, gt(attn, _mm256_setzero_pd()));
    const __m128i x = _mm256_cvttpd_epi32(p.xsb + v.i);
    const __m128i y = _mm256_cvttpd_epi32(p.ysb + v.j);
    const __m128i z = _mm256_cvttpd_epi32(p.zsb + v.k);
    const __m128i cell = _mm_add_epi32(_mm_mullo_epi32(_mm_sub_epi32(x, box_x_lo), box_h),
                                       _mm_sub_epi32(y, box_y_lo));
    // (The masked gathers, all lanes on: the plain ones warn in GCC 12.)
    const __m128i all = _mm_set1_epi32(-1);
    const __m128i hashed =
        _mm_mask_i32gather_epi32(_mm_setzero_si128(), s.hash_box_.data(), cell, all, 4);
    const __m128i h = _mm_and_si128(_mm_add_epi32(hashed, z), _mm_set1_epi32(0xFF));
    const __m128i packed =
        _mm_mask_i32gather_epi32(_mm_setzero_si128(), s.grad_packed_.data(), h, all, 4);
    // Sign-extend each byte: the gradient's components as exact doubles.
    const V gx = _mm256_cvtepi32_pd(_mm_srai_epi32(_mm_slli_epi32(packed, 24), 24));
    const V gy = _mm256_cvtepi32_pd(_mm_srai_epi32(_mm_slli_epi32(packed, 16), 24));
    const V gz = _mm256_cvtepi32_pd(_mm_srai_epi32(_mm_slli_epi32(packed, 8), 24));
    const V ext = (gx * dx + gy * dy) + gz * dz;
    const V a2 = attn * attn;
    return And(on, (a2 * a2) * ext);
  }

  // The extra vertices of region A (the tetrahedron at (0,0,0)).
  static void extras_a(const Point& p, Vertex* e0, Vertex* e1) {
    const V zero = _mm256_setzero_pd();
    const V ge_xy = ge(p.xins, p.yins);
    const V bz = And(ge_xy, gt(p.zins, p.yins));     // b := (0,0,1)
    const V az = AndNot(ge_xy, gt(p.zins, p.xins));  // a := (0,0,1)
    const V as = sel(az, p.zins, p.xins);
    const V bs = sel(bz, p.zins, p.yins);
    const V wins = set1(1) - p.in_sum;
    const V near = Or(gt(wins, as), gt(wins, bs));  // (0,0,0) among the closest two
    const V pick_b = gt(bs, as);
    // Bits of c: a = bz ? .. : a is 0x01 or 0x04, b is 0x02 or 0x04.
    const V c1 = sel(near, Not(Or(pick_b, az)), Not(az));
    const V c2 = sel(near, AndNot(bz, pick_b), Not(bz));
    const V c4 = sel(near, sel(pick_b, bz, az), Or(az, bz));
    e0->i = sel(c1, 1.0, sel(near, -1.0, 0.0));
    e1->i = sel(c1, 1.0, sel(near, 0.0, -1.0));
    e0->j = sel(c2, 1.0, sel(near, sel(c1, -1.0, 0.0), 0.0));
    e1->j = sel(c2, 1.0, sel(near, sel(c1, 0.0, -1.0), -1.0));
    e0->k = sel(c4, 1.0, 0.0);
    e1->k = sel(c4, 1.0, -1.0);
    e0->ss = sel(near, 0.0, kS2);
    e1->ss = sel(near, 0.0, kS1);
    e0->mx = e0->my = e0->mz = e1->mx = e1->my = e1->mz = zero;
    e0->active = e1->active = Not(zero);
  }

  // The extra vertices of region B (the tetrahedron at (1,1,1)).
  static void extras_b(const Point& p, Vertex* e0, Vertex* e1) {
    const V zero = _mm256_setzero_pd();
    const V le_xy = le(p.xins, p.yins);
    const V bz = And(le_xy, lt(p.zins, p.yins));     // b := 0x03 (else 0x05)
    const V az = AndNot(le_xy, lt(p.zins, p.xins));  // a := 0x03 (else 0x06)
    const V as = sel(az, p.zins, p.xins);
    const V bs = sel(bz, p.zins, p.yins);
    const V wins = set1(3) - p.in_sum;
    const V near = Or(lt(wins, as), lt(wins, bs));  // (1,1,1) among the closest two
    const V pick_b = lt(bs, as);
    const V c1 = sel(near, Or(pick_b, az), az);
    const V c2 = sel(near, Or(Not(pick_b), bz), bz);
    const V c4 = sel(near, Not(sel(pick_b, bz, az)), Not(Or(az, bz)));
    e0->i = sel(c1, sel(near, 2.0, 1.0), zero);
    e1->i = sel(c1, sel(near, 1.0, 2.0), zero);
    // Near: both +1 on y, then one of them +1 more after its offset (late).
    e0->j = sel(c2, sel(near, sel(c1, 1.0, 2.0), set1(1)), zero);
    e1->j = sel(c2, sel(near, sel(c1, 2.0, 1.0), set1(2)), zero);
    e0->my = And(And(c2, near), sel(c1, 0.0, 1.0));
    e1->my = And(And(c2, near), sel(c1, 1.0, 0.0));
    e0->k = sel(c4, 1.0, 0.0);
    e1->k = sel(c4, 2.0, 0.0);
    e0->ss = sel(near, kS3, kS1);
    e1->ss = sel(near, kS3, kS2);
    e0->mx = e0->mz = e1->mx = e1->mz = zero;
    e0->active = e1->active = Not(zero);
  }

  // The extra vertices of region C (the octahedron between).
  static void extras_c(const Point& p, Vertex* e0, Vertex* e1) {
    const V zero = _mm256_setzero_pd();
    const V one = set1(1);
    const V p1 = p.xins + p.yins;
    const V a_far0 = gt(p1, one);
    const V as = sel(a_far0, p1 - one, one - p1);
    const V p2 = p.xins + p.zins;
    const V b_far0 = gt(p2, one);
    const V bs = sel(b_far0, p2 - one, one - p2);
    const V p3 = p.yins + p.zins;
    const V p3_far = gt(p3, one);
    const V score = sel(p3_far, p3 - one, one - p3);
    const V a_le_b = le(as, bs);
    const V ra = And(a_le_b, lt(as, score));     // a replaced by 0x06 or 0x01
    const V rb = AndNot(a_le_b, lt(bs, score));  // b replaced by 0x06 or 0x01
    // a: 0x03 (far) or 0x04; b: 0x05 (far) or 0x02; replaced: 0x06 (far) or 0x01.
    const V a1 = sel(ra, Not(p3_far), a_far0);
    const V a2 = sel(ra, p3_far, a_far0);
    const V a_far = sel(ra, p3_far, a_far0);
    const V b1 = sel(rb, Not(p3_far), b_far0);
    const V b2 = sel(rb, p3_far, Not(b_far0));
    const V b_far = sel(rb, p3_far, b_far0);
    const V same = Not(Xor(a_far, b_far));
    const V both_far = And(same, a_far);
    const V both_near = AndNot(a_far, same);
    const V mixed = Not(same);
    // First extra: (1,1,1); (0,0,0); or a permutation of (-1,1,1) by c1's bits.
    const V c1_1 = sel(a_far, a1, b1);
    const V c1_2 = sel(a_far, a2, b2);
    const V minus_x = Not(c1_1);
    const V minus_y = AndNot(c1_2, c1_1);
    const V minus_z = And(c1_1, c1_2);
    e0->i = sel(both_far, 1.0, sel(both_near, 0.0, sel(minus_x, -1.0, 1.0)));
    e0->j = sel(both_far, 1.0, sel(both_near, 0.0, sel(minus_y, -1.0, 1.0)));
    e0->k = sel(both_far, 1.0, sel(both_near, 0.0, sel(minus_z, -1.0, 1.0)));
    e0->ss = sel(both_far, kS3, sel(both_near, 0.0, kS1));
    e0->mx = e0->my = e0->mz = zero;
    // Second extra: 2 on the axis of (a & b) (both far); -1 on the axis
    // missing from (a | b), 1 elsewhere (both near); 2 on c2's axis, added
    // late (mixed).
    const V and1 = And(a1, b1), and2 = And(a2, b2);
    const V or1 = Or(a1, b1), or2 = Or(a2, b2);
    const V c2_1 = sel(a_far, b1, a1);
    const V c2_2 = sel(a_far, b2, a2);
    const V far_x = and1, far_y = AndNot(and1, and2), far_z = Not(Or(and1, and2));
    const V near_x = Not(or1), near_y = AndNot(or2, or1), near_z = And(or1, or2);
    const V mix_x = c2_1, mix_y = AndNot(c2_1, c2_2), mix_z = Not(Or(c2_1, c2_2));
    auto second = [&](V fa, V na, V ma) {
      return sel(both_far, sel(fa, 2.0, 0.0),
                 sel(both_near, sel(na, -1.0, 1.0), sel(ma, 2.0, 0.0)));
    };
    e1->i = second(far_x, near_x, mix_x);
    e1->j = second(far_y, near_y, mix_y);
    e1->k = second(far_z, near_z, mix_z);
    e1->ss = sel(both_near, kS1, kS2);
    e1->mx = And(And(mixed, mix_x), set1(2));
    e1->my = And(And(mixed, mix_y), set1(2));
    e1->mz = And(And(mixed, mix_z), set1(2));
    e0->active = e1->active = Not(zero);
  }

  static Point locate(V x, V y, V z) {
    Point p;
    const V stretch = ((x + y) + z) * set1(kStretch);
    const V xs = x + stretch, ys = y + stretch, zs = z + stretch;
    p.xsb = _mm256_floor_pd(xs);
    p.ysb = _mm256_floor_pd(ys);
    p.zsb = _mm256_floor_pd(zs);
    const V squish = ((p.xsb + p.ysb) + p.zsb) * set1(kSquish);
    const V xb = p.xsb + squish, yb = p.ysb + squish, zb = p.zsb + squish;
    p.xins = xs - p.xsb;
    p.yins = ys - p.ysb;
    p.zins = zs - p.zsb;
    p.in_sum = (p.xins + p.yins) + p.zins;
    p.dx0 = x - xb;
    p.dy0 = y - yb;
    p.dz0 = z - zb;
    return p;
  }

  // Four points of one region: A (in_sum <= 1) adds (0,0,0) (1,0,0)
  // (0,1,0) (0,0,1); B (in_sum >= 2) (1,1,0) (1,0,1) (0,1,1) (1,1,1);
  // C (between) (1,0,0) (0,1,0) (0,0,1) (1,1,0) (1,0,1) (0,1,1); then the
  // region's two extra vertices.
  template <int kRegion>
  V noise4(const Point& p) const {
    V value = _mm256_setzero_pd();
    auto add = [&](const Vertex& v) { value = value + contribution(p, v); };
    Vertex e0, e1;
    if constexpr (kRegion == 0) {
      add(body(0, 0, 0, 0));
      add(body(1, 0, 0, kS1));
      add(body(0, 1, 0, kS1));
      add(body(0, 0, 1, kS1));
      extras_a(p, &e0, &e1);
    } else if constexpr (kRegion == 1) {
      add(body(1, 1, 0, kS2));
      add(body(1, 0, 1, kS2));
      add(body(0, 1, 1, kS2));
      add(body(1, 1, 1, kS3));
      extras_b(p, &e0, &e1);
    } else {
      add(body(1, 0, 0, kS1));
      add(body(0, 1, 0, kS1));
      add(body(0, 0, 1, kS1));
      add(body(1, 1, 0, kS2));
      add(body(1, 0, 1, kS2));
      add(body(0, 1, 1, kS2));
      extras_c(p, &e0, &e1);
    }
    add(e0);
    add(e1);
    return value / set1(kNorm);
  }

  // All n points: sorted by region in chunks, then four of one region at a
  // time (a region's last group repeats its last point).
  int run(const double* x, const double* y, double z, int n, double* out) const {
    constexpr int kChunk = 1024;
    int32_t index[3][kChunk + 4];
    const V zv = set1(z);
    for (int base = 0; base < n; base += kChunk) {
      const int m = std::min(kChunk, n - base);
      int count[3] = {0, 0, 0};
      for (int i = 0; i < m; i += 4) {
        int lane[4];
        for (int l = 0; l < 4; ++l) lane[l] = base + std::min(i + l, m - 1);
        const Point p = locate(_mm256_set_pd(x[lane[3]], x[lane[2]], x[lane[1]], x[lane[0]]),
                               _mm256_set_pd(y[lane[3]], y[lane[2]], y[lane[1]], y[lane[0]]), zv);
        const int in_a = _mm256_movemask_pd(le(p.in_sum, set1(1)));
        const int in_b = _mm256_movemask_pd(ge(p.in_sum, set1(2)));
        for (int l = 0; l < 4 && i + l < m; ++l) {
          const int r = (in_a >> l & 1) ? 0 : (in_b >> l & 1) ? 1 : 2;
          index[r][count[r]++] = lane[l];
        }
      }
      for (int r = 0; r < 3; ++r) {
        if (count[r] == 0) continue;
        while (count[r] % 4) {
          index[r][count[r]] = index[r][count[r] - 1];
          ++count[r];
        }
        for (int g = 0; g < count[r]; g += 4) {
          const int32_t* k = index[r] + g;
          const Point p = locate(_mm256_set_pd(x[k[3]], x[k[2]], x[k[1]], x[k[0]]),
                                 _mm256_set_pd(y[k[3]], y[k[2]], y[k[1]], y[k[0]]), zv);
          const V v = r == 0 ? noise4<0>(p) : r == 1 ? noise4<1>(p) : noise4<2>(p);
          alignas(32) double lanes[4];
          _mm256_store_pd(lanes, v);
          for (int l = 0; l < 4; ++l) out[k[l]] = lanes[l];
        }
      }
    }
    return n;
  }
};

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#endif  // DISCO_CRAFTER_AVX2

bool OpenSimplex::batch_vectorised() {
#if DISCO_CRAFTER_AVX2
  static const bool avx2 = __builtin_cpu_supports("avx2");
  return avx2;
#else
  return false;
#endif
}

void OpenSimplex::noise3_batch(const double* x, const double* y, double z, int n,
                               double* out) const {
  int done = 0;
#if DISCO_CRAFTER_AVX2
  if (n >= 1 && batch_vectorised()) {
    double x_min = x[0], x_max = x[0], y_min = y[0], y_max = y[0];
    for (int i = 1; i < n; ++i) {
      x_min = std::min(x_min, x[i]);
      x_max = std::max(x_max, x[i]);
      y_min = std::min(y_min, y[i]);
      y_max = std::max(y_max, y[i]);
    }
    constexpr double kLimit = 1e6;  // beyond: the scalar code (and no int overflow)
    const bool tame = std::abs(x_min) < kLimit && std::abs(x_max) < kLimit &&
                      std::abs(y_min) < kLimit && std::abs(y_max) < kLimit &&
                      std::abs(z) < kLimit;  // also false for NaN
    if (tame) {
      // Stretched coordinates xs = (5x - y - z) / 6 (up to rounding, hence
      // the margin of 1), and the vertices' offsets -1..2 around floor(xs).
      const int x_lo = static_cast<int>(std::floor((5 * x_min - y_max - z) / 6)) - 2;
      const int x_hi = static_cast<int>(std::floor((5 * x_max - y_min - z) / 6)) + 3;
      const int y_lo = static_cast<int>(std::floor((5 * y_min - x_max - z) / 6)) - 2;
      const int y_hi = static_cast<int>(std::floor((5 * y_max - x_min - z) / 6)) + 3;
      if (cover(x_lo, x_hi, y_lo, y_hi)) done = OpenSimplexKernel(*this).run(x, y, z, n, out);
    }
  }
#endif
  for (int i = done; i < n; ++i) out[i] = noise3(x[i], y[i], z);
}

}  // namespace disco::crafter
