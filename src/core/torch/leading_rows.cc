#include "core/leading_rows.h"

#include <torch/torch.h>

#include <stdexcept>
#include <string>

namespace disco {
namespace {

class LeadingRows : public torch::autograd::Function<LeadingRows> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               int64_t n) {
    ctx->saved_data["rows"] = x.size(0);
    return x.slice(0, 0, n);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_out) {
    const auto& g = grad_out[0];
    const int64_t rows = ctx->saved_data["rows"].toInt();
    if (g.size(0) == rows) return {g, torch::Tensor()};
    const int64_t n = g.size(0);
    if (torch::GradMode::is_enabled()) {  // recorded: differentiable ops
      auto rest = g.sizes().vec();
      rest[0] = rows - n;
      return {torch::cat({g, torch::zeros(rest, g.options())}, 0), torch::Tensor()};
    }
    // LibTorch's cat along the first axis is several times slower than a copy.
    auto sizes = g.sizes().vec();
    sizes[0] = rows;
    auto full = torch::empty(sizes, g.options());
    full.slice(0, 0, n).copy_(g);
    full.slice(0, n).zero_();
    return {full, torch::Tensor()};
  }
};

}  // namespace

torch::Tensor leading_rows(const torch::Tensor& x, int64_t n) {
  if (x.dim() == 0 || n < 0 || n > x.size(0)) {
    throw std::invalid_argument("leading_rows: " + std::to_string(n) + " rows of a tensor with " +
                                (x.dim() ? std::to_string(x.size(0)) : std::string("no")) + " rows");
  }
  if (!x.requires_grad() || !torch::GradMode::is_enabled()) return x.slice(0, 0, n);
  return LeadingRows::apply(x, n);
}

}  // namespace disco
