// Haiku's LSTM cell (hk.LSTM) as a function of named parameters, and its
// unroll over time with episode resets (hk.ResetCore + hk.dynamic_unroll).
//
// One linear map over [x, h] gives four blocks in the order i, g, f, o:
//   f = sigmoid(g_f + 1)                (forget-gate bias of +1)
//   c' = f * c + sigmoid(g_i) * tanh(g_g)
//   h' = sigmoid(g_o) * tanh(c')
// Parameters: "<prefix>/linear/w" [in + hidden, 4 * hidden] and
// "<prefix>/linear/b" [4 * hidden] (Haiku's names; default Linear init).
// torch::nn::LSTM orders its gates differently and has no +1, hence this cell.
#pragma once

#include <torch/types.h>

#include <string>

#include "core/params.h"
#include "core/rng.h"

namespace disco {

struct LstmState {
  torch::Tensor hidden;  // [..., H]
  torch::Tensor cell;    // [..., H]
};

// Zero state [batch_shape..., hidden] (batch_shape may be empty).
LstmState lstm_zero_state(at::IntArrayRef batch_shape, int64_t hidden,
                          const torch::TensorOptions& options);

// Adds "<prefix>/linear/{w,b}" for an LSTM reading `in` features.
void add_lstm_params(ParamMap& params, const std::string& prefix, int64_t in, int64_t hidden,
                     Rng& rng, const torch::TensorOptions& options);

// The cell update from pre-activation gates [..., 4H] (blocks i, g, f, o)
// and the previous cell state (broadcast against the gates' leading dims).
LstmState lstm_apply_gates(const torch::Tensor& gates, const torch::Tensor& cell);

// One step: x [..., in], state [..., H] -> new state (whose hidden is the output).
LstmState lstm_step(const torch::Tensor& x, const LstmState& state, const ParamMap& params,
                    const std::string& prefix);

// Unrolls over the leading time axis of xs [T, B, in] from `initial`
// ([B, H] each). Before step t the state is reset to zero where
// should_reset[t, b] != 0 (hk.ResetCore). `reverse` runs t = T-1 .. 0 and
// still returns outputs in time order. Returns hidden outputs [T, B, H] and
// the final state.
std::pair<torch::Tensor, LstmState> lstm_unroll(const torch::Tensor& xs,
                                                const torch::Tensor& should_reset,
                                                const LstmState& initial, const ParamMap& params,
                                                const std::string& prefix, bool reverse = false);

}  // namespace disco
