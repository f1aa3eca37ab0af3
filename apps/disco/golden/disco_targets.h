// Applying the Disco rule to recorded calls in the golden-file layout
// (/work/shared/golden/README.md), as `disco targets` and the golden test do.
//
// Input keys, for K = 1, 2, ... consecutive calls (any T, B, A):
//   callK/agent_out/{logits,y,z,aux_pi,q}    [T+1, B, ...] online outputs
//   callK/behaviour_agent_out/logits         [T+1, B, A]
//   callK/target_out/{logits,y,z,q}          [T+1, B, ...] target network
//   callK/actions [T+1, B], callK/rewards [T, B]
//   callK/discounts [T+1, B] (gives is_terminal and loss_mask), or else
//   callK/is_terminal and callK/loss_mask [T, B]
//   call1/state_in/{meta_rnn/{hidden,cell}, {adv_ema,td_ema}/{moment1,moment2,decay_product}}
//     (optional; the initial state otherwise)
// State is carried from each call to the next. Outputs, per call:
//   callK/state_in/*, callK/state_out/*, callK/value_outs/*, callK/meta_out/*,
//   callK/intermediates/*, callK/loss/{pi,y,z,aux_policy,agent_loss,value,
//   agent_loss_no_meta,total_per_step,total}, callK/grad/agent_out/* (gradient
//   of loss/total with meta_out constant); and with two or more calls
//   meta_grad/<meta-parameter> and meta_grad_loss: the gradient of the last
//   call's loss/total (meta_out differentiable) w.r.t. the meta-parameters,
//   through every earlier call's meta-RNN update.
#pragma once

#include <torch/types.h>

#include "core/params.h"
#include "rules/disco_rule.h"

namespace disco {

// Number of calls K in `file` (call1..callK present); throws if none.
int count_calls(const ParamMap& file);

// Runs every call of `file` on `device`; returns CPU float32 outputs by key.
// Throws std::invalid_argument naming a missing or mis-shaped key.
ParamMap run_disco_calls(const DiscoRule& rule, const ParamMap& meta_params, const ParamMap& file,
                         const torch::Device& device = torch::kCPU);

}  // namespace disco
