// The meta-gradient of one agent (colabs/meta_train.ipynb
// `calculate_meta_gradient`; shared/golden/METAGRAD.md): from the agent's
// state, N inner learner updates with the rule on N training rollouts, each
// followed by a value-function update on the same rollout; then the
// meta-loss (meta/meta_loss.h) of the updated agent on a validation rollout;
// then d meta-loss / d rule parameters through every inner update, second
// order included (agent/learner.h in meta-training mode).
//
// Two ways to get the same gradient:
//   unrolled       one graph over all N updates, one backward pass; memory
//                  grows with N.
//   checkpointed   updates 0..N-2 run without a graph, keeping at most
//                  `checkpoint_slots` + 1 states where the schedule of
//                  meta/checkpoint_schedule.h says, and update N-1 keeps
//                  its graph; the backward pass walks k back from N-1: gets
//                  the state before update k (stored, or recomputed without
//                  a graph from a stored one), recomputes update k with a
//                  graph from it, and pushes the adjoint of state k+1
//                  (params, Adam first moment, target params, meta-RNN
//                  state) back to state k and to the rule parameters.
//                  Memory of one update's graph plus slots + 2 states; the
//                  schedule minimises the graph-free updates recomputed for
//                  that memory (N = 20, 3 slots: 20 in all).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "agent/learner.h"
#include "meta/checkpoint_schedule.h"
#include "meta/meta_loss.h"
#include "meta/value_function.h"

namespace disco {

// One agent of the population: its learner and its meta value function.
struct AgentState {
  LearnerState learner;
  MetaValueState value;
};

// What one inner update produced (no graphs).
struct InnerStepRecord {
  LearnerStepResult learner;  // next state, the rule's outputs, the logs
  torch::Tensor value_loss;   // [] the value function's loss
  MetaValueState value;       // the value function after its update
};

struct MetaGradientResult {
  ParamMap meta_grad;                              // by rule parameter name
  std::map<std::string, torch::Tensor> meta_loss;  // meta_loss_terms(), no graphs
  AgentState final_state;                          // after the N updates, no graphs
  std::vector<InnerStepRecord> steps;              // filled when asked to record
  ValidationLoss valid;                            // no graphs
};

class MetaGradient {
 public:
  // References must outlive this object.
  MetaGradient(const AgentNet& net, const UpdateRule& rule, InnerAdamSettings agent_optimizer,
               const MetaValueFunction& value_fn, MetaLossSettings loss);

  // train: the N training rollouts ([T+1, B, ...]); valid: the validation
  // rollout. `record` keeps every inner step's outputs (golden files).
  MetaGradientResult compute(const ParamMap& meta_params, const AgentState& state,
                             const std::vector<Rollout>& train, const Rollout& valid,
                             bool checkpointing = false, bool record = false,
                             int64_t checkpoint_slots = kDefaultCheckpointSlots) const;

  const MetaLossSettings& loss_settings() const { return loss_; }

 private:
  MetaGradientResult unrolled(const ParamMap& meta_params, const AgentState& state,
                              const std::vector<Rollout>& train, const Rollout& valid,
                              bool record) const;
  MetaGradientResult checkpointed(const ParamMap& meta_params, const AgentState& state,
                                  const std::vector<Rollout>& train, const Rollout& valid,
                                  bool record, int64_t slots) const;
  InnerStepRecord value_step(const MetaValueState& value, LearnerStepResult step,
                             const Rollout& batch) const;

  const AgentNet& net_;
  const UpdateRule& rule_;
  InnerAdam optimizer_;
  const MetaValueFunction& value_fn_;
  MetaLossSettings loss_;
};

}  // namespace disco
