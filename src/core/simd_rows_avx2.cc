// The kernels of simd_rows.h, compiled with -mavx2 -mfma (CMakeLists.txt:
// every src/core/*_avx2.cc) and called only where simd::enabled() holds.
// Eigen is used in these files alone, so no copy of its templates built for
// another instruction set can stand in for these (or these for it).
#include <Eigen/Core>
#include <immintrin.h>

#include <algorithm>
#include <cmath>

#include "core/simd_rows.h"

namespace disco::simd {
namespace {

// exp of 8 floats, as accurate as Eigen's (1.2e-7 relative, measured over
// [-87, 88]) in about two thirds of its time: x = n ln2 + r with |r| <=
// ln2/2, e^r by Cephes' polynomial, 2^n written into the exponent bits.
// Arguments are clamped to [-87, 88], so exp(-inf) is ~1.6e-38, not 0 (as
// with Eigen's own clamp); NaN stays NaN (max/min return their second
// operand when either is NaN).
__m256 exp8(__m256 x) {
  x = _mm256_min_ps(_mm256_set1_ps(88.f), _mm256_max_ps(_mm256_set1_ps(-87.f), x));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  // r = x - n ln2, with ln2 in two parts so that n ln2 is exact enough.
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  for (const float c : {1.3981999507e-3f, 8.3334519073e-3f, 4.1665795894e-2f, 1.6666665459e-1f,
                        5.0000001201e-1f}) {
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(c));
  }
  p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.f)));
  const __m256i two_n = _mm256_slli_epi32(
      _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(two_n));
}

// exp8 as an Eigen functor: x.unaryExpr(FastExp()) where x.exp() would be.
struct FastExp {
  float operator()(float x) const { return std::exp(x); }  // tails
  Eigen::internal::Packet8f packetOp(const Eigen::internal::Packet8f& x) const { return exp8(x); }
  template <typename Packet>
  Packet packetOp(const Packet& x) const {
    return Eigen::internal::pexp(x);
  }
};

}  // namespace
}  // namespace disco::simd

template <>
struct Eigen::internal::functor_traits<disco::simd::FastExp> {
  enum { Cost = 20, PacketAccess = true };
};

namespace disco::simd {
namespace {

template <typename Derived>
auto fast_exp(const Eigen::ArrayBase<Derived>& x) {
  return x.unaryExpr(FastExp());
}

using ConstRow = Eigen::Map<const Eigen::ArrayXf>;
using Row = Eigen::Map<Eigen::ArrayXf>;

// The exps clamp their argument (exp(-inf) gives ~1e-38, not 0), so
// "p = 0" is decided on log p: terms below the smallest normal
// float's log are dropped, as the LibTorch form drops p that underflow to 0.
// What the two forms drop differently weighs < 1e-37 each.
constexpr float kMinLogProb = -87.0f;

// Haiku's LSTM cell on one row: gates x (4L wide: i, g, f, o; forget bias
// +1) and the previous cell c_in (L wide); writes the new cell and hidden
// state.
void lstm_row(const ConstRow& x, const ConstRow& c_in, int64_t l, Row cell, Row hidden) {
  cell = (x.segment(2 * l, l) + 1.f).logistic() * c_in +
         x.segment(0, l).logistic() * x.segment(l, l).tanh();
  hidden = x.segment(3 * l, l).logistic() * cell.tanh();
}

// log Σ exp(x) as its two parts, (m, log Σ exp(x - m)) with m the row's
// maximum, stored as norm[0], norm[1]: x - m is exact where x is near m, so
// log-probabilities (x - m) - norm[1] keep LibTorch's log_softmax precision,
// which x - (m + log Σ) rounded to one float would not. exp(x - m) is left in
// `e` for the caller where given.
void log_normaliser(const ConstRow& x, Row& e, float* norm) {
  const float m = x.maxCoeff();
  e = fast_exp(x - m);
  norm[0] = m;
  norm[1] = std::log(e.sum());
}

void log_normaliser(const ConstRow& x, float* norm) {
  const float m = x.maxCoeff();
  norm[0] = m;
  norm[1] = std::log(fast_exp(x - m).sum());
}

// log softmax(x) from the normaliser.
auto log_probs(const ConstRow& x, const float* norm) { return (x - norm[0]) - norm[1]; }

}  // namespace

void categorical_kl(const RowView& p_logits, const RowView& q_logits, float* kl, float* norm_p,
                    float* norm_q) {
  const int64_t w = p_logits.width;
  Eigen::ArrayXf buffer(w);  // one allocation per call, not per row
  Row e(buffer.data(), w);
  for (int64_t r = 0; r < p_logits.rows; ++r) {
    const ConstRow p(p_logits.row(r), w), q(q_logits.row(r), w);
    float* np = norm_p + 2 * r;
    float* nq = norm_q + 2 * r;
    log_normaliser(p, e, np);  // e = exp(p - max p), so p_i = e_i / Σe
    log_normaliser(q, nq);
    // Σ p_i (log p_i - log q_i) = Σ e_i (log p_i - log q_i) / Σe over p_i > 0.
    const auto log_p = log_probs(p, np);
    const float dot = (log_p > kMinLogProb).select(e * (log_p - log_probs(q, nq)), 0.f).sum();
    kl[r] = dot / e.sum();
  }
}

void categorical_kl_grads(const RowView& p_logits, const RowView& q_logits, const float* norm_p,
                          const float* norm_q, const float* kl, const float* g, float* grad_p,
                          float* grad_q) {
  const int64_t w = p_logits.width;
  Eigen::ArrayXf buffer(w);
  Row p(buffer.data(), w);
  for (int64_t r = 0; r < p_logits.rows; ++r) {
    const ConstRow pl(p_logits.row(r), w), ql(q_logits.row(r), w);
    const float *np = norm_p + 2 * r, *nq = norm_q + 2 * r;
    p = fast_exp(log_probs(pl, np));
    if (grad_q != nullptr) {
      Row(grad_q + r * w, w) = g[r] * (fast_exp(log_probs(ql, nq)) - p);
    }
    if (grad_p != nullptr) {
      const auto log_p = log_probs(pl, np);
      Row(grad_p + r * w, w) =
          (log_p > kMinLogProb).select(g[r] * p * ((log_p - log_probs(ql, nq)) - kl[r]), 0.f);
    }
  }
}

void softmax_cross_entropy(const RowView& logits, const RowView& labels, float* loss,
                           float* norm) {
  const int64_t w = logits.width;
  for (int64_t r = 0; r < logits.rows; ++r) {
    const ConstRow x(logits.row(r), w), y(labels.row(r), w);
    log_normaliser(x, norm + 2 * r);
    // -Σ y_i log softmax(x)_i: labels · log_softmax, NaN alike where x_i = -inf.
    loss[r] = -(y * log_probs(x, norm + 2 * r)).sum();
  }
}

void softmax_cross_entropy_grad(const RowView& logits, const RowView& labels, const float* norm,
                                const float* g, float* grad_logits) {
  const int64_t w = logits.width;
  for (int64_t r = 0; r < logits.rows; ++r) {
    const ConstRow x(logits.row(r), w), y(labels.row(r), w);
    const float total = y.sum();
    Row(grad_logits + r * w, w) = g[r] * (fast_exp(log_probs(x, norm + 2 * r)) * total - y);
  }
}

void softmax_expectation(const RowView& logits, const float* support, float* out) {
  const int64_t w = logits.width;
  const ConstRow s(support, w);
  for (int64_t r = 0; r < logits.rows; ++r) {
    const ConstRow x(logits.row(r), w);
    const float m = x.maxCoeff();
    float sum_e = 0.f, sum_es = 0.f;
    // One pass: exp once, both sums (blocks of 8 keep the exps in registers).
    int64_t i = 0;
    Eigen::Array<float, 8, 1> acc_e = Eigen::Array<float, 8, 1>::Zero(),
                              acc_es = Eigen::Array<float, 8, 1>::Zero();
    for (; i + 8 <= w; i += 8) {
      const Eigen::Array<float, 8, 1> e = fast_exp(x.segment<8>(i) - m);
      acc_e += e;
      acc_es += e * s.segment<8>(i);
    }
    sum_e = acc_e.sum();
    sum_es = acc_es.sum();
    for (; i < w; ++i) {
      const float e = std::exp(x[i] - m);
      sum_e += e;
      sum_es += e * s[i];
    }
    out[r] = sum_es / sum_e;
  }
}

void softmax_linear(const RowView& logits, const float* w, const float* b, int64_t out_width,
                    float* out) {
  using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const int64_t width = logits.width;
  const Eigen::Map<const RowMajor> weights(w, width, out_width);
  const Eigen::Map<const Eigen::RowVectorXf> bias(b, out_width);
  // 64 rows of 600 floats: 150 KiB, in L2 between writing and multiplying.
  constexpr int64_t kBlock = 64;
  RowMajor e(kBlock, width);
  Eigen::VectorXf inverse_sum(kBlock);
  for (int64_t start = 0; start < logits.rows; start += kBlock) {
    const int64_t m = std::min(kBlock, logits.rows - start);
    for (int64_t r = 0; r < m; ++r) {
      const ConstRow x(logits.row(start + r), width);
      Row exp_row(e.row(r).data(), width);
      exp_row = fast_exp(x - x.maxCoeff());
      inverse_sum[r] = 1.f / exp_row.sum();
    }
    Eigen::Map<RowMajor> product(out + start * out_width, m, out_width);
    product.noalias() = e.topRows(m) * weights;
    product = (inverse_sum.head(m).asDiagonal() * product).rowwise() + bias;
  }
}

void lstm_cell(const float* gates, const float* cell_in, int64_t rows, int64_t hidden_size,
               float* hidden, float* cell) {
  const int64_t l = hidden_size, g4 = 4 * hidden_size;
  for (int64_t r = 0; r < rows; ++r) {
    lstm_row(ConstRow(gates + r * g4, g4), ConstRow(cell_in + r * l, l), l, Row(cell + r * l, l),
             Row(hidden + r * l, l));
  }
}

void lstm_hidden_per_action(const float* from_h, const float* w_x, const float* cell_in, int64_t n,
                            int64_t actions, int64_t hidden_size, float* hidden) {
  const int64_t l = hidden_size, g4 = 4 * hidden_size;
  Eigen::ArrayXf gates(g4), cell(l);  // per row, in L1
  for (int64_t root = 0; root < n; ++root) {
    const ConstRow h_part(from_h + root * g4, g4);
    const ConstRow c_in(cell_in + root * l, l);
    for (int64_t a = 0; a < actions; ++a) {
      gates = h_part + ConstRow(w_x + a * g4, g4);
      lstm_row(ConstRow(gates.data(), g4), c_in, l, Row(cell.data(), l),
               Row(hidden + (root * actions + a) * l, l));
    }
  }
}

AdamSquares adam(const float* p, const float* g, const float* mu, const float* nu, int64_t n,
                 const AdamConstants& c, float* p_out, float* mu_out, float* nu_out) {
  // Blocks that stay in L1 between writing the moments and reading them back.
  constexpr int64_t kBlock = 1024;
  AdamSquares squares;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t m = std::min(kBlock, n - start);
    const ConstRow grad(g + start, m), param(p + start, m);
    Row new_mu(mu_out + start, m), new_nu(nu_out + start, m), out(p_out + start, m);
    new_mu = c.b1 * ConstRow(mu + start, m) + (1.f - c.b1) * (c.grad_scale * grad);
    new_nu = c.b2 * ConstRow(nu + start, m) + (1.f - c.b2) * (c.grad_scale * grad).square();
    const auto update = (new_mu / c.bias1) / ((new_nu / c.bias2).sqrt() + c.eps);
    if (c.max_abs_update > 0) {
      out = param - c.learning_rate * update.max(-c.max_abs_update).min(c.max_abs_update);
    } else {
      out = param - c.learning_rate * update;
    }
    squares.gradient += grad.square().sum();
    squares.update += (out - param).square().sum();
  }
  return squares;
}

}  // namespace disco::simd
