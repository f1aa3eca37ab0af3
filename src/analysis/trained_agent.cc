#include "analysis/trained_agent.h"

#include <filesystem>
#include <stdexcept>

#include <algorithm>

#include "agent/actor.h"
#include "agent/checkpoint.h"
#include "envs/registry.h"
#include "io/config.h"
#include "io/npz_tensors.h"

namespace disco {

TrainedAgent load_trained_agent(const std::string& run_dir, const std::string& rule,
                                const std::string& disco103_weights) {
  namespace fs = std::filesystem;
  const fs::path settings_file = fs::path(run_dir) / "settings.json";
  const fs::path checkpoint_file = fs::path(run_dir) / "checkpoint.npz";
  if (!fs::exists(settings_file) || !fs::exists(checkpoint_file)) {
    throw std::invalid_argument("'" + run_dir + "' is not a disco train run with a checkpoint (" +
                                "no settings.json or checkpoint.npz)");
  }
  const auto j = load_config_file(settings_file.string());
  TrainedAgent a;
  a.settings = default_train_settings(j.value("rule", std::string("disco103")));
  apply_settings_json(j, a.settings, UnusedKeys::kIgnore);
  const std::string rule_name = rule.empty() ? a.settings.rule : rule;
  if (!rule.empty() && rule_kind(rule) != rule_kind(a.settings.rule)) {
    throw std::invalid_argument("--rule " + rule + " is a " + rule_kind(rule) + " rule; the run was trained with " +
                                a.settings.rule + " (" + rule_kind(a.settings.rule) + "), whose agent has other heads");
  }
  a.rule = make_rule(rule_name, a.settings.rule_settings, disco103_weights);
  const auto env = make_env(a.settings.env);
  const EnvSpec& spec = env->spec();
  a.net = std::make_unique<AgentNet>(a.settings.net, spec.observation_shape, spec.num_actions,
                                     a.rule.rule->flat_output_spec(spec.num_actions),
                                     a.rule.rule->model_output_spec(spec.num_actions));
  const InnerAdam optimizer(a.settings.optimizer);
  const LearnerState fresh = init_learner_state(*a.net, *a.rule.rule, optimizer, a.settings.seed, torch::kCPU);
  const ParamMap ckpt = load_tensors(checkpoint_file.string());
  a.state = get_learner_state(ckpt, fresh, torch::kCPU);
  if (ckpt.count("trainer/counters")) {
    const auto counters = checkpoint_values(ckpt, "trainer/counters", torch::kLong, 7);
    a.learner_step = counters.data_ptr<int64_t>()[0];
    a.env_steps = counters.data_ptr<int64_t>()[1];
  }
  return a;
}

RuleCall record_rule_call(const TrainedAgent& a, int trajectories, uint64_t seed) {
  if (trajectories < 1) throw std::invalid_argument("trajectories must be positive");
  torch::NoGradGuard no_grad;
  std::vector<std::string> heads = a.rule.rule->behaviour_heads();
  if (std::find(heads.begin(), heads.end(), "logits") == heads.end()) heads.insert(heads.begin(), "logits");
  Actor actor(make_batched_env(a.settings.env, trajectories), seed, a.settings.rollout_length, heads, torch::kCPU);
  EpisodeStats stats;
  actor.collect(*a.net, a.state.params, stats);  // past the first rollout's placeholder reward
  const Rollout rollout = actor.collect(*a.net, a.state.params, stats);
  RuleCall call;
  call.inputs = UpdateRuleInputs::from_rollout(rollout, a.net->unroll(a.state.params, rollout.observations));
  call.target_out = a.rule.rule->unroll_rule_net(a.state.meta_state, rollout.observations,
                                                 call.inputs.should_reset_mask_fwd(), a.net->unroll_fn());
  return call;
}

}  // namespace disco
