// core/simd_rows: each fused kernel against the LibTorch form it replaces
// (in float64, so the reference's own rounding does not count), on
// contiguous rows and on rows narrowed out of a wider batch, with -inf
// logits where the forms define what happens; and the row views that decide
// where the kernels run.
#include "core/simd_rows.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>

#include "core/simd_tensors.h"
#include "nets/lstm_cell.h"

namespace disco::simd {
namespace {

// The kernels need AVX2 + FMA; elsewhere the LibTorch forms run and there
// is nothing here to test.
#define SKIP_WITHOUT_KERNELS()                                             \
  do {                                                                     \
    if (!enabled()) GTEST_SKIP() << "no AVX2 + FMA kernels on this machine"; \
  } while (0)

constexpr float kInf = std::numeric_limits<float>::infinity();

torch::Tensor f64(const torch::Tensor& x) { return x.to(torch::kFloat64); }

// [3, 8, 600] logits, narrowed to the batch columns [2, 7): rows that are
// not contiguous, as a block of trajectories sees them.
torch::Tensor narrowed_logits(uint64_t seed, double scale) {
  torch::manual_seed(seed);
  return (torch::randn({3, 8, 600}) * scale).narrow(1, 2, 5);
}

void expect_close(const torch::Tensor& mine, const torch::Tensor& reference, double atol,
                  double rtol, const char* what) {
  ASSERT_EQ(mine.sizes(), reference.sizes()) << what;
  const auto m = f64(mine), r = f64(reference);
  const double err = ((m - r).abs() - rtol * r.abs()).max().item<double>();
  EXPECT_LE(err, atol) << what << ": max |mine - reference| = " << (m - r).abs().max().item<double>();
}

TEST(SimdRowView, FoldsContiguousAndNarrowedTensorsAndRefusesOthers) {
  SKIP_WITHOUT_KERNELS();
  const auto x = torch::randn({4, 6, 10});
  const auto whole = row_view(x);
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->rows, 24);
  EXPECT_EQ(whole->width, 10);
  EXPECT_EQ(whole->row(13), x.data_ptr<float>() + 130);

  const auto block = x.narrow(1, 2, 3);  // rows (t, b) at t*60 + (b+2)*10
  const auto v = row_view(block);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->rows, 12);
  for (int64_t t = 0; t < 4; ++t) {
    for (int64_t b = 0; b < 3; ++b) {
      EXPECT_EQ(v->row(t * 3 + b), block[t][b].data_ptr<float>());
    }
  }
  EXPECT_FALSE(row_view(x.transpose(1, 2)));                  // last axis strided
  EXPECT_FALSE(row_view(x.to(torch::kFloat64)));              // another dtype
  EXPECT_FALSE(row_view(torch::randn({4, 6, 5, 10}).narrow(1, 1, 3).narrow(2, 0, 2)));  // 3 levels

  set_enabled(false);
  EXPECT_FALSE(enabled());
  EXPECT_FALSE(row_view(x));
  set_enabled(true);
  EXPECT_TRUE(enabled());
}

TEST(SimdRows, CategoricalKlAndItsGradientsMatchTheLibTorchForm) {
  SKIP_WITHOUT_KERNELS();
  auto p = narrowed_logits(1, 3.0);
  const auto q = narrowed_logits(2, 2.0);
  p[0][1].narrow(0, 0, 50).fill_(-kInf);  // p = 0 there: terms and gradients dropped
  const auto g = torch::rand({3, 5});

  auto kl = torch::empty({3, 5}), norm_p = torch::empty({3, 5, 2}), norm_q = torch::empty({3, 5, 2});
  categorical_kl(*row_view(p), *row_view(q), kl.data_ptr<float>(), norm_p.data_ptr<float>(),
                 norm_q.data_ptr<float>());
  auto grad_p = torch::empty({3, 5, 600}), grad_q = torch::empty({3, 5, 600});
  categorical_kl_grads(*row_view(p), *row_view(q), norm_p.data_ptr<float>(),
                       norm_q.data_ptr<float>(), kl.data_ptr<float>(), g.data_ptr<float>(),
                       grad_p.data_ptr<float>(), grad_q.data_ptr<float>());

  const auto log_p = torch::log_softmax(f64(p), -1), log_q = torch::log_softmax(f64(q), -1);
  const auto prob = log_p.exp();
  const auto ratio = torch::where(prob > 0, log_p - log_q, torch::zeros_like(log_p));
  const auto kl_ref = (prob * ratio).sum(-1);
  expect_close(kl, kl_ref, 1e-6, 1e-5, "kl");
  expect_close(norm_p.select(2, 0) + norm_p.select(2, 1), torch::logsumexp(f64(p), -1), 1e-5,
               1e-6, "normaliser of p");
  const auto g64 = f64(g).unsqueeze(-1);
  expect_close(grad_q, g64 * (log_q.exp() - prob), 1e-7, 1e-5, "grad_q");
  expect_close(grad_p, g64 * prob * (ratio - kl_ref.unsqueeze(-1)), 1e-7, 1e-4, "grad_p");
  EXPECT_TRUE(torch::isfinite(grad_p).all().item<bool>());
  EXPECT_EQ(grad_p[0][1].narrow(0, 0, 50).abs().max().item<float>(), 0.f);

  // Either gradient alone.
  auto only_q = torch::empty({3, 5, 600});
  categorical_kl_grads(*row_view(p), *row_view(q), norm_p.data_ptr<float>(),
                       norm_q.data_ptr<float>(), kl.data_ptr<float>(), g.data_ptr<float>(),
                       nullptr, only_q.data_ptr<float>());
  EXPECT_TRUE(torch::equal(only_q, grad_q));
}

TEST(SimdRows, SoftmaxCrossEntropyAndItsGradientMatchTheLibTorchForm) {
  SKIP_WITHOUT_KERNELS();
  const auto logits = narrowed_logits(3, 4.0);
  // Two-hot labels, as the value loss has, and one row of soft labels
  // summing to 2 (the gradient scales softmax by Σ labels).
  auto labels = torch::zeros({3, 5, 600});
  labels.select(2, 300).fill_(0.25);
  labels.select(2, 301).fill_(0.75);
  labels[2][4] = torch::rand({600}) * (2.0 / 300);
  const auto g = torch::rand({3, 5});
  auto loss = torch::empty({3, 5}), norm = torch::empty({3, 5, 2});
  softmax_cross_entropy(*row_view(logits), *row_view(labels), loss.data_ptr<float>(),
                        norm.data_ptr<float>());
  auto grad = torch::empty({3, 5, 600});
  softmax_cross_entropy_grad(*row_view(logits), *row_view(labels), norm.data_ptr<float>(),
                             g.data_ptr<float>(), grad.data_ptr<float>());

  const auto x = f64(logits).requires_grad_(true);
  const auto loss_ref = -(f64(labels) * torch::log_softmax(x, -1)).sum(-1);
  const auto grad_ref = torch::autograd::grad({(loss_ref * f64(g)).sum()}, {x})[0];
  expect_close(loss, loss_ref.detach(), 1e-5, 1e-5, "loss");
  expect_close(grad, grad_ref, 1e-7, 1e-5, "grad");
}

TEST(SimdRows, SoftmaxExpectationMatchesTheLibTorchForm) {
  SKIP_WITHOUT_KERNELS();
  // 601 bins: the 8-wide blocks leave a tail of one.
  torch::manual_seed(5);
  const auto logits = (torch::randn({4, 9, 601}) * 3).narrow(1, 1, 6);
  const auto support = torch::linspace(-300, 300, 601);
  auto out = torch::empty({4, 6});
  softmax_expectation(*row_view(logits), support.data_ptr<float>(), out.data_ptr<float>());
  const auto reference = torch::matmul(torch::softmax(f64(logits), -1), f64(support));
  expect_close(out, reference, 1e-4, 1e-5, "expectation");
}

TEST(SimdRows, SoftmaxLinearMatchesTheLibTorchForm) {
  SKIP_WITHOUT_KERNELS();
  // 150 rows: two full blocks of 64 and a tail; narrowed rows; one row with
  // -inf logits (probability 0 there).
  torch::manual_seed(6);
  auto wide = torch::randn({5, 40, 600}) * 4;
  wide[0][3].slice(0, 0, 100).fill_(-kInf);
  const auto logits = wide.narrow(1, 5, 30);
  const auto w = torch::randn({600, 32}) * 0.05, b = torch::randn({32});
  auto out = torch::empty({5, 30, 32});
  softmax_linear(*row_view(logits), w.data_ptr<float>(), b.data_ptr<float>(), 32,
                 out.data_ptr<float>());
  const auto reference = torch::matmul(torch::softmax(f64(logits), -1), f64(w)) + f64(b);
  expect_close(out, reference, 1e-6, 1e-5, "softmax linear");
}

TEST(SimdRows, LstmCellMatchesLibTorchsCellWithoutAGraph) {
  SKIP_WITHOUT_KERNELS();
  torch::manual_seed(9);
  const auto gates = torch::randn({2, 5, 64}) * 3, cell = torch::randn({2, 5, 16}) * 2;
  const auto fused = lstm_apply_gates(gates, cell);  // no graph: the kernel
  const auto reference = lstm_apply_gates(f64(gates), f64(cell));
  expect_close(fused.hidden, reference.hidden, 1e-6, 0, "hidden");
  expect_close(fused.cell, reference.cell, 1e-6, 1e-6, "cell");
  set_enabled(false);
  const auto plain = lstm_apply_gates(gates, cell);
  set_enabled(true);
  EXPECT_FALSE(torch::equal(fused.hidden, plain.hidden));  // the kernel did run
  // With a graph: LibTorch's ops, differentiable.
  const auto g = gates.clone().requires_grad_(true);
  EXPECT_TRUE(lstm_apply_gates(g, cell).hidden.requires_grad());
}

TEST(SimdRows, LstmHiddenPerActionMatchesTheCell) {
  SKIP_WITHOUT_KERNELS();
  torch::manual_seed(6);
  const int64_t n = 7, a = 3, l = 16;
  const auto from_h = torch::randn({n, 4 * l}) * 2, w_x = torch::randn({a, 4 * l});
  const auto cell = torch::randn({n, l}) * 2;
  auto hidden = torch::empty({n, a, l});
  lstm_hidden_per_action(from_h.data_ptr<float>(), w_x.data_ptr<float>(), cell.data_ptr<float>(),
                         n, a, l, hidden.data_ptr<float>());
  const auto reference =
      lstm_apply_gates(f64(from_h).unsqueeze(1) + f64(w_x).unsqueeze(0), f64(cell).unsqueeze(1))
          .hidden;
  expect_close(hidden, reference, 1e-6, 0, "hidden");
}

}  // namespace
}  // namespace disco::simd
