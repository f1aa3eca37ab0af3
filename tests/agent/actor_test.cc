#include "agent/actor.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>
#include <vector>

#include "agent/checkpoint.h"
#include "envs/registry.h"

namespace disco {
namespace {

AgentNet small_net(const BatchedEnv& env) {
  AgentNetSettings s;
  s.dense = {8};
  return AgentNet(s, env.spec().observation_shape, env.spec().num_actions,
                  {{"logits", {env.spec().num_actions}}}, {});
}

TEST(Actor, RolloutFollowsTheReferenceConvention) {
  // Catch 5x5: every episode lasts 4 steps and ends with reward +-1. In a
  // rollout of 13 time steps from a fresh start, the time steps that arrive
  // after an episode's end are t = 4, 8, 12: discount 0 and reward +-1
  // there, discount 1 and reward 0 everywhere else.
  BatchedEnv env = make_batched_env("catch(rows=5,columns=5)", 3);
  const auto net = small_net(env);
  Actor actor(std::move(env), 0, 13, {"logits"}, torch::kCPU);
  EpisodeStats stats;
  const auto r = actor.collect(net, net.init(0), stats);
  EXPECT_EQ(r.observations.sizes(), (std::vector<int64_t>{13, 3, 5, 5}));
  EXPECT_EQ(r.agent_outs.at("logits").sizes(), (std::vector<int64_t>{13, 3, 3}));
  for (int t = 0; t < 13; ++t) {
    const bool last = t > 0 && t % 4 == 0;
    for (int b = 0; b < 3; ++b) {
      EXPECT_EQ(r.discounts[t][b].item<float>(), last ? 0.f : 1.f) << t;
      EXPECT_EQ(std::abs(r.rewards[t][b].item<float>()), last ? 1.f : 0.f) << t;
    }
  }
  EXPECT_EQ(stats.episodes, 9);  // 3 episodes each (the third ends at step 12)
  EXPECT_TRUE((r.actions >= 0).all().item<bool>() && (r.actions < 3).all().item<bool>());
}

TEST(Actor, ActionsAndEnvironmentsDrawFromIndependentDerivationsOfTheSeed) {
  // Before the fix the action generator was Rng(seed) itself, whose first
  // outputs had derived the environments' generators.
  const uint64_t seed = 42;
  Actor actor(make_batched_env("catch(rows=5,columns=5)", 8), seed, 5, {"logits"}, torch::kCPU);
  auto draws = [](Rng r) {
    std::set<uint64_t> out;
    for (int i = 0; i < 32; ++i) out.insert(r.next_u64());
    return out;
  };
  const auto actions = draws(actor.action_rng());
  std::vector<std::set<uint64_t>> others = {draws(Rng(seed))};
  for (int i = 0; i < actor.env().batch_size(); ++i) others.push_back(draws(actor.env().rng(i)));
  for (const auto& other : others) {
    for (const auto x : actions) EXPECT_EQ(other.count(x), 0u);
  }
  // The environments differ from each other too.
  for (size_t i = 2; i < others.size(); ++i) EXPECT_NE(others[i], others[1]);
}

TEST(Actor, SavedStateContinuesIdentically) {
  BatchedEnv env_a = make_batched_env("catch(rows=5,columns=5)", 2);
  const auto net = small_net(env_a);
  const auto params = net.init(1);
  Actor a(std::move(env_a), 3, 7, {"logits"}, torch::kCPU);
  EpisodeStats stats;
  a.collect(net, params, stats);
  const auto saved = unpack_bytes(pack_bytes(a.save_state()));
  Actor b(make_batched_env("catch(rows=5,columns=5)", 2), 99, 7, {"logits"}, torch::kCPU);
  b.restore_state(saved);
  const auto ra = a.collect(net, params, stats), rb = b.collect(net, params, stats);
  EXPECT_TRUE(torch::equal(ra.observations, rb.observations));
  EXPECT_TRUE(torch::equal(ra.actions, rb.actions));
  EXPECT_TRUE(torch::equal(ra.rewards, rb.rewards));
}

TEST(Checkpoint, BytesAndGeneratorsRoundTrip) {
  const std::vector<uint8_t> bytes = {1, 2, 3, 250, 9, 0, 7, 8, 42};
  EXPECT_EQ(unpack_bytes(pack_bytes(bytes)), bytes);
  EXPECT_TRUE(unpack_bytes(pack_bytes({})).empty());
  Rng rng(5), copy(0);
  rng.next_u64();
  unpack_rng(pack_rng(rng), copy);
  EXPECT_EQ(copy.next_u64(), rng.next_u64());
}

}  // namespace
}  // namespace disco
