// Fused float32 kernels for the learner's element-wise hot spots: over rows
// (the last axis), the categorical KL and cross-entropy with their
// gradients, the categorical value's expectation, softmax-then-linear (the
// meta-network's embeddings of 600-wide predictions) and the LSTM cell; over
// flat arrays, the Adam step.
//
// LibTorch runs each of these as a chain of whole-tensor operations, every
// one a pass over memory (a 600-wide KL is about ten of them, forward and
// backward), and its CPU tanh runs at a third of its sigmoid's speed. Here
// each row is read once or twice while it sits in L1, with a vectorised exp
// (simd_rows_avx2.cc) and Eigen's tanh and logistic. (A plain softmax gains
// nothing: LibTorch already fuses it per row.) The kernels are compiled for
// AVX2 + FMA (simd_rows_avx2.cc) and run only where the CPU has both;
// callers keep their LibTorch form for everything else (other CPUs, other
// devices and dtypes, graphs that meta-gradients differentiate) and tests
// hold the two forms together.
//
// Results agree with the LibTorch forms to float rounding, not bit for bit
// (another summation order; the exp is within 1.2e-7 and Eigen's tanh within
// ~3e-7 of the exact value). A run stays a function of its seed: the same
// CPU picks the same form.
#pragma once

#include <cstdint>

namespace disco::simd {

// The kernels can run here: compiled in and the CPU has AVX2 and FMA, and
// not switched off by set_enabled(false) or DISCO_SIMD=0 in the environment.
bool enabled();

// Switches the kernels off (the LibTorch forms run) or back on where the CPU
// allows; for tests and before/after benchmarks. Process-wide; set it before
// starting threads that read it.
void set_enabled(bool on);

// `rows` rows of `width` floats: row r starts at
// data + (r / inner) * outer_stride + (r % inner) * inner_stride, elements
// contiguous. Covers a contiguous [rows, width] and a [T, b, width] block of
// a [T, B, width] tensor narrowed along its second axis.
struct RowView {
  const float* data = nullptr;
  int64_t rows = 0, width = 0;
  int64_t inner = 1, outer_stride = 0, inner_stride = 0;
  const float* row(int64_t r) const {
    return data + (r / inner) * outer_stride + (r % inner) * inner_stride;
  }
};

// The log-normaliser of each row, log Σ exp(logits), is kept as two floats
// per row for the gradient kernels: [max, log Σ exp(logits - max)].

// KL(p || q) per row from logits: Σ_i p_i (log p_i - log q_i), terms with
// p_i = 0 dropped. Writes kl[r] and both normalisers (2 floats per row).
void categorical_kl(const RowView& p_logits, const RowView& q_logits, float* kl, float* norm_p,
                    float* norm_q);

// g[r] times the KL's gradients, rows contiguous [rows, width]; either output
// may be null (not wanted):
//   grad_p = g·p·(log p - log q - KL), 0 where p = 0
//   grad_q = g·(q - p)
void categorical_kl_grads(const RowView& p_logits, const RowView& q_logits, const float* norm_p,
                          const float* norm_q, const float* kl, const float* g, float* grad_p,
                          float* grad_q);

// -Σ_i labels_i log softmax(logits)_i per row; writes the logits'
// normaliser (2 floats per row) for the gradient kernel.
void softmax_cross_entropy(const RowView& logits, const RowView& labels, float* loss, float* norm);

// g[r] times the cross-entropy's gradient to the logits, rows contiguous:
// g·(softmax(logits)·Σ labels - labels).
void softmax_cross_entropy_grad(const RowView& logits, const RowView& labels, const float* norm,
                                const float* g, float* grad_logits);

// Σ_i softmax(logits)_i support_i per row (a categorical value's
// expectation; support has `width` entries).
void softmax_expectation(const RowView& logits, const float* support, float* out);

// softmax(x_r) W + b for every row r of `logits`, W [width, out_width] and
// b [out_width] contiguous row-major; writes out [rows, out_width]. The
// probabilities never reach memory: a block of rows is exponentiated into a
// buffer that stays in cache and multiplied from there, and the product is
// divided by each row's Σ exp afterwards.
void softmax_linear(const RowView& logits, const float* w, const float* b, int64_t out_width,
                    float* out);

// Haiku's LSTM cell without a graph on `rows` rows: gates [rows, 4L] (i, g,
// f, o; forget bias +1) and the previous cell [rows, L], all contiguous;
// writes the new hidden state and cell ([rows, L] each).
void lstm_cell(const float* gates, const float* cell_in, int64_t rows, int64_t hidden_size,
               float* hidden, float* cell);

// One LSTM step per (root, action) without a graph, Haiku's cell (gates
// i, g, f, o; forget bias +1): gates[n, a] = from_h[n] + w_x[a] (both 4L
// wide), cell_in[n] (L wide) the previous cell for every action; writes the
// new hidden state hidden[n, a] (contiguous [N, A, L]).
void lstm_hidden_per_action(const float* from_h, const float* w_x, const float* cell_in, int64_t n,
                            int64_t actions, int64_t hidden_size, float* hidden);

// ----- element-wise ----------------------------------------------------------

// The constants of one Adam step (optim/inner_adam.h); max_abs_update <= 0
// means no clipping.
struct AdamConstants {
  float grad_scale = 1, b1 = 0, b2 = 0, bias1 = 1, bias2 = 1, eps = 0;
  float max_abs_update = 0, learning_rate = 0;
};

// One Adam step on n entries in a single pass (LibTorch's form is about ten
// passes): from parameters p, gradients g and moments mu, nu, writes
//   mu' = b1 mu + (1 - b1) s g,  nu' = b2 nu + (1 - b2) (s g)^2   (s: grad_scale)
//   p'  = p - lr clip((mu' / bias1) / (sqrt(nu' / bias2) + eps))
// Outputs may not alias inputs. Returns Σ g^2 (unscaled) and Σ (p' - p)^2,
// the squared norms that the learner logs.
struct AdamSquares {
  double gradient = 0, update = 0;
};
AdamSquares adam(const float* p, const float* g, const float* mu, const float* nu, int64_t n,
                 const AdamConstants& c, float* p_out, float* mu_out, float* nu_out);

}  // namespace disco::simd
