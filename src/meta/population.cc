#include "meta/population.h"

#include <torch/torch.h>

#include <stdexcept>

#include "agent/checkpoint.h"
#include "envs/registry.h"
#include "meta/agent_state_io.h"

namespace disco {
namespace {

// A stream of its own for each purpose and agent, whoever computes it.
enum Stream : uint64_t {
  kRuleInit = 2,
  kActorStream = 1'000'000,
  kAgentStream = 2'000'000,
  kTrainActorStream = 3'000'000,
  kReplayStream = 4'000'000
};

Rng stream(uint64_t seed, uint64_t id) {
  Rng root(seed);
  return root.split(id);
}

}  // namespace

std::pair<int, int> agents_of(int rank, int ranks, int population) {
  const auto bound = [&](int r) {
    return static_cast<int>(static_cast<int64_t>(population) * r / ranks);
  };
  return {bound(rank), bound(rank + 1)};
}

std::string agent_env(const MetaTrainSettings& s, int index) {
  const auto envs = static_cast<int>(s.envs.size());
  if (s.population < envs) {
    throw std::invalid_argument("population " + std::to_string(s.population) + " is smaller than the " +
                                std::to_string(envs) +
                                " environments listed: every environment needs an agent");
  }
  return s.envs[index % envs];
}

uint64_t rule_init_seed(uint64_t seed) { return stream(seed, kRuleInit).next_u64(); }

std::unique_ptr<PopulationAgent> make_agent(const MetaTrainSettings& s, const UpdateRule& rule,
                                            int index, torch::Device device) {
  auto a = std::make_unique<PopulationAgent>();
  a->index = index;
  a->env = agent_env(s, index);
  a->rng = stream(s.seed, kAgentStream + index);
  BatchedEnv env = make_batched_env(a->env, s.batch);
  const auto spec = env.spec();
  a->net = std::make_unique<AgentNet>(s.net, spec.observation_shape, spec.num_actions,
                                      rule.flat_output_spec(spec.num_actions),
                                      rule.model_output_spec(spec.num_actions));
  a->value_fn = std::make_unique<MetaValueFunction>(s.value, spec.observation_shape);
  a->gradient = std::make_unique<MetaGradient>(*a->net, rule, s.agent_optimizer, *a->value_fn, s.loss);
  a->actor = std::make_unique<Actor>(std::move(env), stream(s.seed, kActorStream + index).next_u64(),
                                     s.rollout, rule.behaviour_heads(), device);
  if (s.replay_fraction > 0) {
    a->train_actor = std::make_unique<Actor>(make_batched_env(a->env, fresh_per_update(s)),
                                             stream(s.seed, kTrainActorStream + index).next_u64(),
                                             s.rollout, rule.behaviour_heads(), device);
    a->replay_rng = stream(s.seed, kReplayStream + index);
  }
  reset_agent(*a, s, rule, device);
  restagger_lifetime(*a, s);
  return a;
}

void restagger_lifetime(PopulationAgent& a, const MetaTrainSettings& s) {
  a.experience = a.budget * static_cast<int64_t>(a.index) / s.population;
}

int64_t env_steps_per_meta_step(const MetaTrainSettings& s) {
  return static_cast<int64_t>(s.rollout) * (fresh_per_update(s) * s.inner_steps + 2 * s.batch);
}

void reset_agent(PopulationAgent& a, const MetaTrainSettings& s, const UpdateRule& rule,
                 torch::Device device) {
  const uint64_t seed = a.rng.next_u64();
  const InnerAdam adam(s.agent_optimizer);
  a.state.learner = init_learner_state(*a.net, rule, adam, seed, device);
  a.state.value = a.value_fn->init(seed ^ 0x5bd1e995u, device);
  a.history.clear();
  if (s.replay_fraction > 0) a.replay = std::make_unique<ReplayBuffer>(s.replay_capacity);
  a.experience = 0;
  a.budget = 0;
  const auto& budgets = s.lifetimes;
  if (budgets.empty()) return;
  double total = 0;  // P(budget) ∝ 1/budget
  for (auto b : budgets) total += 1.0 / static_cast<double>(b);
  double u = a.rng.uniform() * total;
  a.budget = budgets.back();
  for (auto b : budgets) {
    u -= 1.0 / static_cast<double>(b);
    if (u < 0) {
      a.budget = b;
      break;
    }
  }
}

Rollout update_rollout(PopulationAgent& a, const MetaTrainSettings& s, EpisodeStats& episodes) {
  if (!a.replay) {
    a.experience += a.actor->env_steps_per_rollout();
    return a.actor->collect(*a.net, a.state.learner.params, episodes);
  }
  Rollout fresh = a.train_actor->collect(*a.net, a.state.learner.params, episodes);
  a.experience += a.train_actor->env_steps_per_rollout();
  a.replay->add(fresh);
  const int replayed = s.batch - fresh_per_update(s);
  if (replayed == 0) return fresh;
  auto joined = rollout_fields(fresh);
  const auto sampled = rollout_fields(a.replay->sample(replayed, a.replay_rng));
  for (auto& [name, t] : joined) t = torch::cat({t, sampled.at(name).to(t.device())}, 1);
  return rollout_from_fields(joined);
}

ParamMap save_agent(const PopulationAgent& a, int64_t meta_step) {
  ParamMap out;
  put_agent_state(out, "state/", a.state);
  out["actor"] = pack_bytes(a.actor->save_state());
  out["rng"] = pack_rng(a.rng);
  if (a.replay) {
    out["train_actor"] = pack_bytes(a.train_actor->save_state());
    out["replay_rng"] = pack_rng(a.replay_rng);
    a.replay->save(out, "replay/");
  }
  out["lifetime"] = torch::tensor({a.budget, a.experience, static_cast<int64_t>(a.history.size())});
  out["agent"] = torch::tensor({static_cast<int64_t>(a.index), meta_step});
  for (size_t k = 0; k < a.history.size(); ++k) {
    const std::string h = "history" + std::to_string(k) + "/";
    put_agent_state(out, h + "state/", a.history[k].first);
    put_rollout(out, h + "rollout/", a.history[k].second);
  }
  for (auto& [name, t] : out) t = t.detach().to(torch::kCPU);
  return out;
}

void load_agent(const ParamMap& in, int64_t meta_step, const std::string& file,
                PopulationAgent& a, torch::Device device) {
  const auto id = checkpoint_counts(in, "agent", 2);
  if (id[0] != a.index || id[1] != meta_step) {
    throw std::invalid_argument(file + " holds agent " + std::to_string(id[0]) + " at meta-step " +
                                std::to_string(id[1]));
  }
  a.state = get_agent_state(in, "state/", a.state, device);
  a.actor->restore_state(unpack_bytes(param(in, "actor")));
  unpack_rng(param(in, "rng"), a.rng);
  if (a.replay) {
    a.train_actor->restore_state(unpack_bytes(param(in, "train_actor")));
    unpack_rng(param(in, "replay_rng"), a.replay_rng);
    a.replay->load(in, "replay/");
  }
  const auto life = checkpoint_counts(in, "lifetime", 3);
  a.budget = life[0];
  a.experience = life[1];
  a.history.clear();
  for (int64_t k = 0; k < life[2]; ++k) {
    const std::string h = "history" + std::to_string(k) + "/";
    a.history.emplace_back(get_agent_state(in, h + "state/", a.state, device),
                           get_rollout(in, h + "rollout/", device));
  }
}

}  // namespace disco
