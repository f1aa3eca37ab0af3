#include "nets/lstm_cell.h"

#include <torch/torch.h>

#include <vector>

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
