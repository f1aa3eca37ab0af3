// A Disco103 learner on a small network and a fixed random batch, shared by
// the learner's tests: T = 5 transitions of `batch_size` trajectories,
// A = 3 actions, 6-float observations; an episode ends at step 2 of
// trajectory 0 and at step 4 of trajectory 1.
#pragma once

#include <torch/torch.h>

#include <string>

#include "agent/learner.h"
#include "rules/disco_rule.h"

namespace disco {

constexpr int kA = 3, kT = 5, kObs = 6;

struct LearnerFixture {
  static constexpr int kDefaultBatch = 4;

  DiscoRule rule;
  ParamMap eta = load_disco_meta_params(std::string(DISCO_SHARED_DIR) + "/weights/disco_103.npz");
  AgentNet net{AgentNetSettings{"mlp", {16}, {}, 0.3, 8, {8}},
               {kObs},
               kA,
               rule.flat_output_spec(kA),
               rule.model_output_spec(kA)};
  InnerAdamSettings opt_settings = [] {
    InnerAdamSettings s;
    s.learning_rate = 1e-2;
    return s;
  }();
  InnerAdam opt{opt_settings};
  Rollout batch;

  explicit LearnerFixture(int batch_size = kDefaultBatch) {
    torch::manual_seed(0);
    batch.observations = torch::randn({kT + 1, batch_size, kObs});
    batch.actions = torch::randint(0, kA, {kT + 1, batch_size}, torch::kLong);
    batch.rewards = torch::randint(-1, 2, {kT + 1, batch_size}).to(torch::kFloat32);
    batch.discounts = torch::ones({kT + 1, batch_size});
    batch.discounts.index_put_({2, 0}, 0.0);
    batch.discounts.index_put_({4, 1}, 0.0);
    batch.agent_outs["logits"] = torch::randn({kT + 1, batch_size, kA});
  }
};

}  // namespace disco
