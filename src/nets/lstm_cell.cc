#include "nets/lstm_cell.h"

#include <torch/torch.h>

#include <algorithm>
#include <vector>

#include "core/simd_tensors.h"
#include "nets/haiku_init.h"

namespace disco {

LstmState lstm_zero_state(at::IntArrayRef batch_shape, int64_t hidden,
                          const torch::TensorOptions& options) {
  std::vector<int64_t> shape(batch_shape.begin(), batch_shape.end());
  shape.push_back(hidden);
  return {torch::zeros(shape, options), torch::zeros(shape, options)};
}

void add_lstm_params(ParamMap& params, const std::string& prefix, int64_t in, int64_t hidden,
                     Rng& rng, const torch::TensorOptions& options) {
  add_linear_params(params, prefix + "/linear", in + hidden, 4 * hidden, rng, options);
}

LstmState lstm_apply_gates(const torch::Tensor& gates, const torch::Tensor& cell_in) {
  const bool graph =
      torch::GradMode::is_enabled() && (gates.requires_grad() || cell_in.requires_grad());
  if (!graph && simd::contiguous({&gates, &cell_in}) && gates.dim() == cell_in.dim() &&
      gates.sizes().slice(0, gates.dim() - 1) == cell_in.sizes().slice(0, cell_in.dim() - 1) &&
      gates.size(-1) == 4 * cell_in.size(-1)) {
    // No graph: the cell fused per row (core/simd_rows.h).
    auto hidden = torch::empty(cell_in.sizes(), cell_in.options());
    auto cell = torch::empty_like(hidden);
    simd::lstm_cell(gates.data_ptr<float>(), cell_in.data_ptr<float>(),
                    cell_in.numel() / std::max<int64_t>(cell_in.size(-1), 1), cell_in.size(-1),
                    hidden.data_ptr<float>(), cell.data_ptr<float>());
    return {hidden, cell};
  }
  const auto blocks = gates.chunk(4, -1);  // i, g, f, o
  const auto f = torch::sigmoid(blocks[2] + 1.0);
  const auto cell = f * cell_in + torch::sigmoid(blocks[0]) * torch::tanh(blocks[1]);
  const auto hidden = torch::sigmoid(blocks[3]) * torch::tanh(cell);
  return {hidden, cell};
}

LstmState lstm_step(const torch::Tensor& x, const LstmState& state, const ParamMap& params,
                    const std::string& prefix) {
  return lstm_apply_gates(linear(torch::cat({x, state.hidden}, -1), params, prefix + "/linear"),
                     state.cell);
}

std::pair<torch::Tensor, LstmState> lstm_unroll(const torch::Tensor& xs,
                                                const torch::Tensor& should_reset,
                                                const LstmState& initial, const ParamMap& params,
                                                const std::string& prefix, bool reverse) {
  TORCH_CHECK(xs.dim() == 3, "lstm_unroll: xs must be [T, B, in], got ", xs.sizes());
  TORCH_CHECK(should_reset.dim() == 2 && should_reset.size(0) == xs.size(0) &&
                  should_reset.size(1) == xs.size(1),
              "lstm_unroll: should_reset must be [T, B] = ", xs.sizes().slice(0, 2), ", got ",
              should_reset.sizes());
  const int64_t steps = xs.size(0);
  // keep[t] = 1 - reset[t], shaped [B, 1] to broadcast over the hidden units.
  const auto keep = (1.0 - should_reset.to(xs.scalar_type())).unsqueeze(-1);
  // [x, h]·W + b = (x·W_x + b) + h·W_h: the input part for all steps in one
  // matmul, leaving the sequential loop only the recurrent one.
  const auto& w = param(params, prefix + "/linear/w");
  const int64_t in = xs.size(2);
  const auto w_h = w.slice(0, in);
  const auto from_x =
      torch::addmm(param(params, prefix + "/linear/b"), xs.reshape({-1, in}), w.slice(0, 0, in))
          .view({steps, xs.size(1), w.size(1)});
  std::vector<torch::Tensor> outputs(steps);
  LstmState state = initial;
  for (int64_t i = 0; i < steps; ++i) {
    const int64_t t = reverse ? steps - 1 - i : i;
    state = {state.hidden * keep[t], state.cell * keep[t]};
    state = lstm_apply_gates(torch::addmm(from_x[t], state.hidden, w_h), state.cell);
    outputs[t] = state.hidden;
  }
  return {torch::stack(outputs, 0), state};
}

}  // namespace disco
