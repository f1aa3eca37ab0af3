#include "rl/two_hot.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/simd_tensors.h"

namespace disco::rl {
namespace {

void check_bins(double min_value, double max_value, int64_t num_bins) {
  if (!(max_value > min_value) || num_bins < 2) {
    throw std::invalid_argument("two-hot needs max_value > min_value and num_bins >= 2; got [" +
                                std::to_string(min_value) + ", " + std::to_string(max_value) +
                                "] with " + std::to_string(num_bins) + " bins");
  }
}

// Puts weight p_low on bin `low` and p_up on bin `up` (float indices [...]),
// giving [..., num_bins]; a shared bin (low == up) gets p_low + p_up. One
// scatter into zeros writes the [..., num_bins] output once (comparing every
// bin with both indices took seven passes over it). Indices are clamped to
// the bins so that a NaN scalar gives a NaN output, not an out-of-range write.
torch::Tensor scatter_two_hot(const torch::Tensor& low, const torch::Tensor& up,
                              const torch::Tensor& p_low, const torch::Tensor& p_up,
                              int64_t num_bins) {
  std::vector<int64_t> shape = p_low.sizes().vec();
  shape.push_back(num_bins);
  const torch::Tensor index = torch::stack({low, up}, -1).to(torch::kLong).clamp(0, num_bins - 1);
  const torch::Tensor weights = torch::stack({p_low, p_up}, -1);
  return torch::zeros(shape, p_low.options()).scatter_add(-1, index, weights);
}

}  // namespace

torch::Tensor transform_to_2hot(const torch::Tensor& scalar, double min_value, double max_value,
                                int64_t num_bins) {
  check_bins(min_value, max_value, num_bins);
  const double range = max_value - min_value;
  const double last = static_cast<double>(num_bins - 1);
  const torch::Tensor x = torch::clamp(scalar, min_value, max_value);
  const torch::Tensor x_bin = (x - min_value) / range * last;
  const torch::Tensor low = torch::floor(x_bin).detach();
  const torch::Tensor up = torch::ceil(x_bin).detach();
  const torch::Tensor low_value = low / last * range + min_value;
  const torch::Tensor up_value = up / last * range + min_value;
  const torch::Tensor p_low = (up_value - x) / (up_value - low_value + 1e-5);
  return scatter_two_hot(low, up, p_low, 1.0 - p_low, num_bins);
}

torch::Tensor transform_from_2hot(const torch::Tensor& probs, double min_value, double max_value,
                                  int64_t num_bins) {
  check_bins(min_value, max_value, num_bins);
  TORCH_CHECK(probs.dim() >= 1 && probs.size(-1) == num_bins,
              "transform_from_2hot: probs' last axis must have num_bins = ", num_bins,
              " entries; got shape ", probs.sizes());
  const torch::Tensor support =
      torch::linspace(min_value, max_value, num_bins, probs.options().dtype(torch::kFloat64))
          .to(probs.dtype());
  return (probs * support).sum(-1);
}

torch::Tensor transform_to_2hot_integer_bins(const torch::Tensor& scalar, int64_t max_abs_value) {
  if (max_abs_value <= 0) {
    throw std::invalid_argument("transform_to_2hot_integer_bins: max_abs_value must be > 0; got " +
                                std::to_string(max_abs_value));
  }
  const double m = static_cast<double>(max_abs_value);
  const torch::Tensor x = torch::clamp(scalar, -m, m);
  const torch::Tensor low = torch::floor(x).detach();
  const torch::Tensor up = torch::ceil(x).detach();
  const torch::Tensor p_low = (up - x) / (up - low + 1e-5);
  return scatter_two_hot(low + m, up + m, p_low, 1.0 - p_low, 2 * max_abs_value + 1);
}

torch::Tensor categorical_value_to_scalar(const torch::Tensor& logits, double max_abs_value) {
  if (!(max_abs_value > 0.0)) {
    throw std::invalid_argument("categorical_value_to_scalar: max_abs_value must be > 0; got " +
                                std::to_string(max_abs_value));
  }
  return transform_from_2hot(torch::softmax(logits, -1), -max_abs_value, max_abs_value,
                             logits.size(-1));
}

namespace {

// softmax_cross_entropy with constant labels on core/simd_rows' fused row
// kernels: the value loss's [T, B, 601] logits are read once forward and
// once backward instead of once per LibTorch operation. A recorded backward
// (create_graph: meta-gradients) uses differentiable ops instead.
class FusedSoftmaxCrossEntropy : public torch::autograd::Function<FusedSoftmaxCrossEntropy> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& logits,
                               const torch::Tensor& labels) {
    const auto leading = logits.sizes().slice(0, logits.dim() - 1);
    auto loss = torch::empty(leading, logits.options());
    auto norm = torch::empty({loss.numel(), 2}, loss.options());
    simd::softmax_cross_entropy(*simd::row_view(logits), *simd::row_view(labels),
                                loss.data_ptr<float>(), norm.data_ptr<float>());
    ctx->save_for_backward({logits, labels, norm});
    return loss;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_out) {
    const auto saved = ctx->get_saved_variables();
    const auto &logits = saved[0], &labels = saved[1];
    const auto logit_rows = simd::row_view(logits), label_rows = simd::row_view(labels);
    if (torch::GradMode::is_enabled() || !logit_rows || !label_rows) {
      const auto g = grad_out[0].unsqueeze(-1);
      return {g * (torch::softmax(logits, -1) * labels.sum(-1, /*keepdim=*/true) - labels),
              torch::Tensor()};
    }
    const auto g = grad_out[0].to(torch::kFloat32).contiguous();
    auto grad = torch::empty(logits.sizes(), logits.options());
    simd::softmax_cross_entropy_grad(*logit_rows, *label_rows, saved[2].data_ptr<float>(),
                                     g.data_ptr<float>(), grad.data_ptr<float>());
    return {grad, torch::Tensor()};
  }
};

}  // namespace

torch::Tensor softmax_cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels) {
  TORCH_CHECK(logits.sizes() == labels.sizes(), "softmax_cross_entropy: logits ", logits.sizes(),
              " and labels ", labels.sizes(), " must have the same shape");
  if (!(labels.requires_grad() && torch::GradMode::is_enabled()) &&
      simd::applies({&logits, &labels})) {
    return FusedSoftmaxCrossEntropy::apply(logits, labels);
  }
  return -(labels * torch::log_softmax(logits, -1)).sum(-1);
}

}  // namespace disco::rl
