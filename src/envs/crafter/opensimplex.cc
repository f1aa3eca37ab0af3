#include "envs/crafter/opensimplex.h"

#include <algorithm>
#include <cmath>

// Exact IEEE arithmetic: no fused multiply-adds, whatever -march allows.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace disco::crafter {

namespace {

constexpr double kStretch = -1.0 / 6;  // (1 / sqrt(3 + 1) - 1) / 3
constexpr double kSquish = 1.0 / 3;    // (sqrt(3 + 1) - 1) / 3
constexpr double kNorm = 103;

// The 24 gradients: directions to the vertices of a rhombicuboctahedron.
constexpr int kGradients[72] = {
    -11, 4,  4,  -4, 11,  4,  -4, 4,  11,  11, 4,  4,  4, 11,  4,  4, 4,  11,
    -11, -4, 4,  -4, -11, 4,  -4, -4, 11,  11, -4, 4,  4, -11, 4,  4, -4, 11,
    -11, 4,  -4, -4, 11,  -4, -4, 4,  -11, 11, 4,  -4, 4, 11,  -4, 4, 4,  -11,
    -11, -4, -4, -4, -11, -4, -4, -4, -11, 11, -4, -4, 4, -11, -4, 4, -4, -11,
};

}  // namespace

OpenSimplex::OpenSimplex(int64_t seed) {
  hash_box_.reserve(kBoxCapacity);
  seed_with(seed);
}

void OpenSimplex::seed_with(int64_t seed) {
  constexpr uint64_t kMul = 6364136223846793005ull;
  constexpr uint64_t kInc = 1442695040888963407ull;
  auto step = [](int64_t s) {
    return static_cast<int64_t>(static_cast<uint64_t>(s) * kMul + kInc);
  };
  std::array<int, 256> source{};
  for (int i = 0; i < 256; ++i) source[i] = i;
  seed = step(step(step(seed)));
  for (int i = 255; i >= 0; --i) {
    seed = step(seed);
    // (seed + 31) mod (i + 1) on exact integers, the result non-negative.
    __int128 r = (static_cast<__int128>(seed) + 31) % (i + 1);
    if (r < 0) r += i + 1;
    const int k = static_cast<int>(r);
    perm_[i] = static_cast<uint8_t>(source[k]);
    grad_index_[i] = static_cast<uint8_t>((perm_[i] % 24) * 3);
    source[k] = source[i];
  }
  for (int h = 0; h < 256; ++h) {
    const int* g = kGradients + grad_index_[h];
    grad_packed_[h] = static_cast<int32_t>((static_cast<uint32_t>(g[0]) & 0xFF) |
                                           (static_cast<uint32_t>(g[1]) & 0xFF) << 8 |
                                           (static_cast<uint32_t>(g[2]) & 0xFF) << 16);
  }
  box_x_lo_ = box_y_lo_ = 0;
  box_x_hi_ = box_y_hi_ = -1;  // empty
}

bool OpenSimplex::cover(int x_lo, int x_hi, int y_lo, int y_hi) const {
  if (x_lo >= box_x_lo_ && x_hi <= box_x_hi_ && y_lo >= box_y_lo_ && y_hi <= box_y_hi_) {
    return true;
  }
  if (box_x_lo_ <= box_x_hi_) {  // grow to the union, so earlier boxes stay covered
    x_lo = std::min(x_lo, box_x_lo_);
    x_hi = std::max(x_hi, box_x_hi_);
    y_lo = std::min(y_lo, box_y_lo_);
    y_hi = std::max(y_hi, box_y_hi_);
  }
  const int64_t w = int64_t{x_hi} - x_lo + 1;
  const int64_t h = int64_t{y_hi} - y_lo + 1;
  if (w * h > kBoxCapacity) return false;
  hash_box_.resize(static_cast<size_t>(w * h));  // within the reserved capacity
  for (int a = x_lo; a <= x_hi; ++a) {
    const int pa = perm_[a & 0xFF];
    int32_t* row = hash_box_.data() + (a - x_lo) * h;
    for (int b = y_lo; b <= y_hi; ++b) row[b - y_lo] = perm_[(pa + b) & 0xFF];
  }
  box_x_lo_ = x_lo;
  box_x_hi_ = x_hi;
  box_y_lo_ = y_lo;
  box_y_hi_ = y_hi;
  return true;
}

double OpenSimplex::extrapolate(int xsb, int ysb, int zsb, double dx, double dy, double dz) const {
  const int index = grad_index_[(perm_[(perm_[xsb & 0xFF] + ysb) & 0xFF] + zsb) & 0xFF];
  return kGradients[index] * dx + kGradients[index + 1] * dy + kGradients[index + 2] * dz;
}

// The arithmetic below keeps the port's order of operations exactly (left to
// right, constants multiplied before they are subtracted), so the doubles are
// the port's doubles.
double OpenSimplex::noise3(double x, double y, double z) const {
  // The point on the simplectic honeycomb, its super-cell and the offsets.
  const double stretch_offset = (x + y + z) * kStretch;
  const double xs = x + stretch_offset;
  const double ys = y + stretch_offset;
  const double zs = z + stretch_offset;
  const int xsb = static_cast<int>(std::floor(xs));
  const int ysb = static_cast<int>(std::floor(ys));
  const int zsb = static_cast<int>(std::floor(zs));
  const double squish_offset = static_cast<double>(xsb + ysb + zsb) * kSquish;
  const double xb = xsb + squish_offset;
  const double yb = ysb + squish_offset;
  const double zb = zsb + squish_offset;
  const double xins = xs - xsb;
  const double yins = ys - ysb;
  const double zins = zs - zsb;
  const double in_sum = xins + yins + zins;
  double dx0 = x - xb;
  double dy0 = y - yb;
  double dz0 = z - zb;

  double value = 0;
  // Adds a lattice vertex's contribution where it reaches the point.
  auto add = [&](int xv, int yv, int zv, double dx, double dy, double dz) {
    double attn = 2 - dx * dx - dy * dy - dz * dz;
    if (attn > 0) {
      attn *= attn;
      value += attn * attn * extrapolate(xv, yv, zv, dx, dy, dz);
    }
  };
  // The two extra vertices outside the simplex that may contribute.
  int xsv_ext0, ysv_ext0, zsv_ext0, xsv_ext1, ysv_ext1, zsv_ext1;
  double dx_ext0, dy_ext0, dz_ext0, dx_ext1, dy_ext1, dz_ext1;
  // The permutation of (1,1,-1) whose -1 lies on the lowest axis that `c`
  // leaves out (x, then y, else z), as a vertex and its offsets.
  auto permutation_11m1 = [&](int c, double& dx, double& dy, double& dz, int& xsv, int& ysv, int& zsv) {
    if ((c & 0x01) == 0) {
      dx = dx0 + 1 - kSquish;
      dy = dy0 - 1 - kSquish;
      dz = dz0 - 1 - kSquish;
      xsv = xsb - 1;
      ysv = ysb + 1;
      zsv = zsb + 1;
    } else if ((c & 0x02) == 0) {
      dx = dx0 - 1 - kSquish;
      dy = dy0 + 1 - kSquish;
      dz = dz0 - 1 - kSquish;
      xsv = xsb + 1;
      ysv = ysb - 1;
      zsv = zsb + 1;
    } else {
      dx = dx0 - 1 - kSquish;
      dy = dy0 - 1 - kSquish;
      dz = dz0 + 1 - kSquish;
      xsv = xsb + 1;
      ysv = ysb + 1;
      zsv = zsb - 1;
    }
  };

  if (in_sum <= 1) {
    // Tetrahedron at (0,0,0): which two of (0,0,1), (0,1,0), (1,0,0) are closest.
    int a_point = 0x01, b_point = 0x02;
    double a_score = xins, b_score = yins;
    if (a_score >= b_score && zins > b_score) {
      b_score = zins;
      b_point = 0x04;
    } else if (a_score < b_score && zins > a_score) {
      a_score = zins;
      a_point = 0x04;
    }
    const double wins = 1 - in_sum;
    if (wins > a_score || wins > b_score) {
      // (0,0,0) is one of the two closest vertices.
      const int c = b_score > a_score ? b_point : a_point;
      if ((c & 0x01) == 0) {
        xsv_ext0 = xsb - 1;
        xsv_ext1 = xsb;
        dx_ext0 = dx0 + 1;
        dx_ext1 = dx0;
      } else {
        xsv_ext0 = xsv_ext1 = xsb + 1;
        dx_ext0 = dx_ext1 = dx0 - 1;
      }
      if ((c & 0x02) == 0) {
        ysv_ext0 = ysv_ext1 = ysb;
        dy_ext0 = dy_ext1 = dy0;
        if ((c & 0x01) == 0) {
          ysv_ext1 -= 1;
          dy_ext1 += 1;
        } else {
          ysv_ext0 -= 1;
          dy_ext0 += 1;
        }
      } else {
        ysv_ext0 = ysv_ext1 = ysb + 1;
        dy_ext0 = dy_ext1 = dy0 - 1;
      }
      if ((c & 0x04) == 0) {
        zsv_ext0 = zsb;
        zsv_ext1 = zsb - 1;
        dz_ext0 = dz0;
        dz_ext1 = dz0 + 1;
      } else {
        zsv_ext0 = zsv_ext1 = zsb + 1;
        dz_ext0 = dz_ext1 = dz0 - 1;
      }
    } else {
      // (0,0,0) is not: the extra vertices follow from the closest two.
      const int c = a_point | b_point;
      if ((c & 0x01) == 0) {
        xsv_ext0 = xsb;
        xsv_ext1 = xsb - 1;
        dx_ext0 = dx0 - 2 * kSquish;
        dx_ext1 = dx0 + 1 - kSquish;
      } else {
        xsv_ext0 = xsv_ext1 = xsb + 1;
        dx_ext0 = dx0 - 1 - 2 * kSquish;
        dx_ext1 = dx0 - 1 - kSquish;
      }
      if ((c & 0x02) == 0) {
        ysv_ext0 = ysb;
        ysv_ext1 = ysb - 1;
        dy_ext0 = dy0 - 2 * kSquish;
        dy_ext1 = dy0 + 1 - kSquish;
      } else {
        ysv_ext0 = ysv_ext1 = ysb + 1;
        dy_ext0 = dy0 - 1 - 2 * kSquish;
        dy_ext1 = dy0 - 1 - kSquish;
      }
      if ((c & 0x04) == 0) {
        zsv_ext0 = zsb;
        zsv_ext1 = zsb - 1;
        dz_ext0 = dz0 - 2 * kSquish;
        dz_ext1 = dz0 + 1 - kSquish;
      } else {
        zsv_ext0 = zsv_ext1 = zsb + 1;
        dz_ext0 = dz0 - 1 - 2 * kSquish;
        dz_ext1 = dz0 - 1 - kSquish;
      }
    }
    add(xsb, ysb, zsb, dx0, dy0, dz0);
    const double dx1 = dx0 - 1 - kSquish;
    const double dy1 = dy0 - 0 - kSquish;
    const double dz1 = dz0 - 0 - kSquish;
    add(xsb + 1, ysb, zsb, dx1, dy1, dz1);
    const double dx2 = dx0 - 0 - kSquish;
    const double dy2 = dy0 - 1 - kSquish;
    const double dz2 = dz1;
    add(xsb, ysb + 1, zsb, dx2, dy2, dz2);
    const double dx3 = dx2;
    const double dy3 = dy1;
    const double dz3 = dz0 - 1 - kSquish;
    add(xsb, ysb, zsb + 1, dx3, dy3, dz3);
  } else if (in_sum >= 2) {
    // Tetrahedron at (1,1,1): which two of (1,1,0), (1,0,1), (0,1,1) are closest.
    int a_point = 0x06, b_point = 0x05;
    double a_score = xins, b_score = yins;
    if (a_score <= b_score && zins < b_score) {
      b_score = zins;
      b_point = 0x03;
    } else if (a_score > b_score && zins < a_score) {
      a_score = zins;
      a_point = 0x03;
    }
    const double wins = 3 - in_sum;
    if (wins < a_score || wins < b_score) {
      // (1,1,1) is one of the two closest vertices.
      const int c = b_score < a_score ? b_point : a_point;
      if ((c & 0x01) != 0) {
        xsv_ext0 = xsb + 2;
        xsv_ext1 = xsb + 1;
        dx_ext0 = dx0 - 2 - 3 * kSquish;
        dx_ext1 = dx0 - 1 - 3 * kSquish;
      } else {
        xsv_ext0 = xsv_ext1 = xsb;
        dx_ext0 = dx_ext1 = dx0 - 3 * kSquish;
      }
      if ((c & 0x02) != 0) {
        ysv_ext0 = ysv_ext1 = ysb + 1;
        dy_ext0 = dy_ext1 = dy0 - 1 - 3 * kSquish;
        if ((c & 0x01) != 0) {
          ysv_ext1 += 1;
          dy_ext1 -= 1;
        } else {
          ysv_ext0 += 1;
          dy_ext0 -= 1;
        }
      } else {
        ysv_ext0 = ysv_ext1 = ysb;
        dy_ext0 = dy_ext1 = dy0 - 3 * kSquish;
      }
      if ((c & 0x04) != 0) {
        zsv_ext0 = zsb + 1;
        zsv_ext1 = zsb + 2;
        dz_ext0 = dz0 - 1 - 3 * kSquish;
        dz_ext1 = dz0 - 2 - 3 * kSquish;
      } else {
        zsv_ext0 = zsv_ext1 = zsb;
        dz_ext0 = dz_ext1 = dz0 - 3 * kSquish;
      }
    } else {
      const int c = a_point & b_point;
      if ((c & 0x01) != 0) {
        xsv_ext0 = xsb + 1;
        xsv_ext1 = xsb + 2;
        dx_ext0 = dx0 - 1 - kSquish;
        dx_ext1 = dx0 - 2 - 2 * kSquish;
      } else {
        xsv_ext0 = xsv_ext1 = xsb;
        dx_ext0 = dx0 - kSquish;
        dx_ext1 = dx0 - 2 * kSquish;
      }
      if ((c & 0x02) != 0) {
        ysv_ext0 = ysb + 1;
        ysv_ext1 = ysb + 2;
        dy_ext0 = dy0 - 1 - kSquish;
        dy_ext1 = dy0 - 2 - 2 * kSquish;
      } else {
        ysv_ext0 = ysv_ext1 = ysb;
        dy_ext0 = dy0 - kSquish;
        dy_ext1 = dy0 - 2 * kSquish;
      }
      if ((c & 0x04) != 0) {
        zsv_ext0 = zsb + 1;
        zsv_ext1 = zsb + 2;
        dz_ext0 = dz0 - 1 - kSquish;
        dz_ext1 = dz0 - 2 - 2 * kSquish;
      } else {
        zsv_ext0 = zsv_ext1 = zsb;
        dz_ext0 = dz0 - kSquish;
        dz_ext1 = dz0 - 2 * kSquish;
      }
    }
    const double dx3 = dx0 - 1 - 2 * kSquish;
    const double dy3 = dy0 - 1 - 2 * kSquish;
    const double dz3 = dz0 - 0 - 2 * kSquish;
    add(xsb + 1, ysb + 1, zsb, dx3, dy3, dz3);
    const double dx2 = dx3;
    const double dy2 = dy0 - 0 - 2 * kSquish;
    const double dz2 = dz0 - 1 - 2 * kSquish;
    add(xsb + 1, ysb, zsb + 1, dx2, dy2, dz2);
    const double dx1 = dx0 - 0 - 2 * kSquish;
    const double dy1 = dy3;
    const double dz1 = dz2;
    add(xsb, ysb + 1, zsb + 1, dx1, dy1, dz1);
    dx0 = dx0 - 1 - 3 * kSquish;
    dy0 = dy0 - 1 - 3 * kSquish;
    dz0 = dz0 - 1 - 3 * kSquish;
    add(xsb + 1, ysb + 1, zsb + 1, dx0, dy0, dz0);
  } else {
    // The octahedron in between. Closest of (0,0,1) and (1,1,0):
    double a_score, b_score;
    int a_point, b_point;
    bool a_further, b_further;
    const double p1 = xins + yins;
    if (p1 > 1) {
      a_score = p1 - 1;
      a_point = 0x03;
      a_further = true;
    } else {
      a_score = 1 - p1;
      a_point = 0x04;
      a_further = false;
    }
    // ... of (0,1,0) and (1,0,1):
    const double p2 = xins + zins;
    if (p2 > 1) {
      b_score = p2 - 1;
      b_point = 0x05;
      b_further = true;
    } else {
      b_score = 1 - p2;
      b_point = 0x02;
      b_further = false;
    }
    // The closer of (1,0,0) and (0,1,1) replaces the further of the two, if closer.
    const double p3 = yins + zins;
    if (p3 > 1) {
      const double score = p3 - 1;
      if (a_score <= b_score && a_score < score) {
        a_point = 0x06;
        a_further = true;
      } else if (a_score > b_score && b_score < score) {
        b_point = 0x06;
        b_further = true;
      }
    } else {
      const double score = 1 - p3;
      if (a_score <= b_score && a_score < score) {
        a_point = 0x01;
        a_further = false;
      } else if (a_score > b_score && b_score < score) {
        b_point = 0x01;
        b_further = false;
      }
    }
    if (a_further == b_further) {
      if (a_further) {
        // Both on the (1,1,1) side: one extra vertex is (1,1,1), the other
        // follows from the shared axis.
        dx_ext0 = dx0 - 1 - 3 * kSquish;
        dy_ext0 = dy0 - 1 - 3 * kSquish;
        dz_ext0 = dz0 - 1 - 3 * kSquish;
        xsv_ext0 = xsb + 1;
        ysv_ext0 = ysb + 1;
        zsv_ext0 = zsb + 1;
        const int c = a_point & b_point;
        if ((c & 0x01) != 0) {
          dx_ext1 = dx0 - 2 - 2 * kSquish;
          dy_ext1 = dy0 - 2 * kSquish;
          dz_ext1 = dz0 - 2 * kSquish;
          xsv_ext1 = xsb + 2;
          ysv_ext1 = ysb;
          zsv_ext1 = zsb;
        } else if ((c & 0x02) != 0) {
          dx_ext1 = dx0 - 2 * kSquish;
          dy_ext1 = dy0 - 2 - 2 * kSquish;
          dz_ext1 = dz0 - 2 * kSquish;
          xsv_ext1 = xsb;
          ysv_ext1 = ysb + 2;
          zsv_ext1 = zsb;
        } else {
          dx_ext1 = dx0 - 2 * kSquish;
          dy_ext1 = dy0 - 2 * kSquish;
          dz_ext1 = dz0 - 2 - 2 * kSquish;
          xsv_ext1 = xsb;
          ysv_ext1 = ysb;
          zsv_ext1 = zsb + 2;
        }
      } else {
        // Both on the (0,0,0) side: one extra vertex is (0,0,0), the other
        // follows from the omitted axis.
        dx_ext0 = dx0;
        dy_ext0 = dy0;
        dz_ext0 = dz0;
        xsv_ext0 = xsb;
        ysv_ext0 = ysb;
        zsv_ext0 = zsb;
        const int c = a_point | b_point;
        permutation_11m1(c, dx_ext1, dy_ext1, dz_ext1, xsv_ext1, ysv_ext1, zsv_ext1);
      }
    } else {
      // One on each side.
      const int c1 = a_further ? a_point : b_point;
      const int c2 = a_further ? b_point : a_point;
      // A permutation of (1,1,-1) ...
      permutation_11m1(c1, dx_ext0, dy_ext0, dz_ext0, xsv_ext0, ysv_ext0, zsv_ext0);
      // ... and one of (0,0,2).
      dx_ext1 = dx0 - 2 * kSquish;
      dy_ext1 = dy0 - 2 * kSquish;
      dz_ext1 = dz0 - 2 * kSquish;
      xsv_ext1 = xsb;
      ysv_ext1 = ysb;
      zsv_ext1 = zsb;
      if ((c2 & 0x01) != 0) {
        dx_ext1 -= 2;
        xsv_ext1 += 2;
      } else if ((c2 & 0x02) != 0) {
        dy_ext1 -= 2;
        ysv_ext1 += 2;
      } else {
        dz_ext1 -= 2;
        zsv_ext1 += 2;
      }
    }
    const double dx1 = dx0 - 1 - kSquish;
    const double dy1 = dy0 - 0 - kSquish;
    const double dz1 = dz0 - 0 - kSquish;
    add(xsb + 1, ysb, zsb, dx1, dy1, dz1);
    const double dx2 = dx0 - 0 - kSquish;
    const double dy2 = dy0 - 1 - kSquish;
    const double dz2 = dz1;
    add(xsb, ysb + 1, zsb, dx2, dy2, dz2);
    const double dx3 = dx2;
    const double dy3 = dy1;
    const double dz3 = dz0 - 1 - kSquish;
    add(xsb, ysb, zsb + 1, dx3, dy3, dz3);
    const double dx4 = dx0 - 1 - 2 * kSquish;
    const double dy4 = dy0 - 1 - 2 * kSquish;
    const double dz4 = dz0 - 0 - 2 * kSquish;
    add(xsb + 1, ysb + 1, zsb, dx4, dy4, dz4);
    const double dx5 = dx4;
    const double dy5 = dy0 - 0 - 2 * kSquish;
    const double dz5 = dz0 - 1 - 2 * kSquish;
    add(xsb + 1, ysb, zsb + 1, dx5, dy5, dz5);
    const double dx6 = dx0 - 0 - 2 * kSquish;
    const double dy6 = dy4;
    const double dz6 = dz5;
    add(xsb, ysb + 1, zsb + 1, dx6, dy6, dz6);
  }
  add(xsv_ext0, ysv_ext0, zsv_ext0, dx_ext0, dy_ext0, dz_ext0);
  add(xsv_ext1, ysv_ext1, zsv_ext1, dx_ext1, dy_ext1, dz_ext1);
  return value / kNorm;
}

}  // namespace disco::crafter
