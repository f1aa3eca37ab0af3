// The kernels of simd_rows.h, compiled with -mavx2 -mfma (CMakeLists.txt:
// every src/core/*_avx2.cc) and called only where simd::enabled() holds.
// Eigen is used in these files alone, so no copy of its templates built for
// another instruction set can stand in for these (or these for it).
#include <Eigen/Core>

#include <cmath>

#include "core/simd_rows.h"

namespace disco::simd {
namespace {

using ConstRow = Eigen::Map<const Eigen::ArrayXf>;
using Row = Eigen::Map<Eigen::ArrayXf>;

// Eigen's exp clamps its argument at about -88.4 (exp(-inf) gives ~1e-38,
// not 0), so "p = 0" is decided on log p: terms below the smallest normal
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
  e = (x - m).exp();
  norm[0] = m;
  norm[1] = std::log(e.sum());
}

void log_normaliser(const ConstRow& x, float* norm) {
  const float m = x.maxCoeff();
  norm[0] = m;
  norm[1] = std::log((x - m).exp().sum());
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
    p = log_probs(pl, np).exp();
    if (grad_q != nullptr) {
      Row(grad_q + r * w, w) = g[r] * (log_probs(ql, nq).exp() - p);
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
    Row(grad_logits + r * w, w) = g[r] * (log_probs(x, norm + 2 * r).exp() * total - y);
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
      const Eigen::Array<float, 8, 1> e = (x.segment<8>(i) - m).exp();
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

}  // namespace disco::simd
