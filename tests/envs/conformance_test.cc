// Shared conformance test, run on every registered environment with its
// default parameters: spec bounds, determinism by seed, save/restore and
// same-step auto-reset.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "envs/registry.h"

namespace disco {
namespace {

std::vector<std::string> registered_names() {
  std::vector<std::string> names;
  for (const EnvEntry& e : env_registry()) names.push_back(e.name);
  return names;
}

// A fixed, seed-determined sequence of random actions.
std::vector<int> random_actions(int n, int num_actions, uint64_t seed) {
  Rng rng(seed);
  std::vector<int> a(n);
  for (int& x : a) x = rng.uniform_int(num_actions);
  return a;
}

struct Trace {
  std::vector<float> obs, rewards;
  std::vector<uint8_t> terminals, truncations;
};

void run(BatchedEnv& env, int steps, uint64_t action_seed, Trace& trace) {
  const int b = env.batch_size();
  const int n = env.observation_size();
  for (int t = 0; t < steps; ++t) {
    const auto actions = random_actions(b, env.spec().num_actions, action_seed * 7919 + t);
    env.step(actions);
    trace.obs.insert(trace.obs.end(), env.observations(), env.observations() + b * n);
    trace.rewards.insert(trace.rewards.end(), env.rewards(), env.rewards() + b);
    trace.terminals.insert(trace.terminals.end(), env.terminals(), env.terminals() + b);
    trace.truncations.insert(trace.truncations.end(), env.truncations(), env.truncations() + b);
  }
}

class Conformance : public ::testing::TestWithParam<std::string> {};

TEST_P(Conformance, SpecIsSane) {
  auto env = make_env(GetParam());
  const EnvSpec& s = env->spec();
  EXPECT_FALSE(s.name.empty());
  EXPECT_GT(s.num_actions, 0);
  EXPECT_GT(s.observation_size(), 0);
  EXPECT_LE(s.min_reward, s.max_reward);
  EXPECT_EQ(static_cast<int>(env->action_names().size()), s.num_actions);
  // The canonical name builds the same environment.
  EXPECT_EQ(make_env(s.name)->spec().name, s.name);
}

TEST_P(Conformance, ObservationsAndRewardsStayInBounds) {
  BatchedEnv env = make_batched_env(GetParam(), 8);
  env.reset(3);
  const EnvSpec& s = env.spec();
  Trace trace;
  run(env, 400, 1, trace);
  for (float x : trace.obs) {
    ASSERT_TRUE(std::isfinite(x));
    ASSERT_GE(x, s.min_observation);
    ASSERT_LE(x, s.max_observation);
  }
  for (float r : trace.rewards) {
    ASSERT_GE(r, s.min_reward - 1e-6f);
    ASSERT_LE(r, s.max_reward + 1e-6f);
  }
  for (size_t i = 0; i < trace.terminals.size(); ++i) {
    ASSERT_FALSE(trace.terminals[i] && trace.truncations[i]) << "a step is never both";
  }
}

TEST_P(Conformance, SameSeedSameTrajectoryOtherSeedDiffers) {
  BatchedEnv a = make_batched_env(GetParam(), 4);
  BatchedEnv b = make_batched_env(GetParam(), 4);
  BatchedEnv c = make_batched_env(GetParam(), 4);
  a.reset(11);
  b.reset(11);
  c.reset(12);
  Trace ta, tb, tc;
  run(a, 300, 5, ta);
  run(b, 300, 5, tb);
  run(c, 300, 5, tc);
  EXPECT_EQ(ta.obs, tb.obs);
  EXPECT_EQ(ta.rewards, tb.rewards);
  EXPECT_EQ(ta.terminals, tb.terminals);
  EXPECT_EQ(ta.truncations, tb.truncations);
  const bool differs = ta.obs != tc.obs || ta.rewards != tc.rewards || ta.terminals != tc.terminals;
  EXPECT_TRUE(differs) << "seeds 11 and 12 gave identical runs";
}

TEST_P(Conformance, SaveRestoreContinuesIdentically) {
  BatchedEnv a = make_batched_env(GetParam(), 4);
  a.reset(21);
  Trace warmup;
  run(a, 37, 2, warmup);
  const std::vector<uint8_t> saved = a.save_state();
  Trace first;
  run(a, 200, 3, first);

  BatchedEnv b = make_batched_env(GetParam(), 4);
  b.reset(999);  // a different state, overwritten by the restore
  b.restore_state(saved);
  Trace second;
  run(b, 200, 3, second);
  EXPECT_EQ(first.obs, second.obs);
  EXPECT_EQ(first.rewards, second.rewards);
  EXPECT_EQ(first.terminals, second.terminals);
  EXPECT_EQ(first.truncations, second.truncations);

  // A truncated or foreign state is refused, not half-applied.
  std::vector<uint8_t> cut(saved.begin(), saved.begin() + saved.size() / 2);
  const std::vector<uint8_t> before_cut = b.save_state();
  EXPECT_THROW(b.restore_state(cut), std::invalid_argument);
  EXPECT_EQ(b.save_state(), before_cut) << "a refused state changed the batch";
  BatchedEnv wrong_size = make_batched_env(GetParam(), 3);
  EXPECT_THROW(wrong_size.restore_state(saved), std::invalid_argument);
}

TEST_P(Conformance, AutoResetShowsNextEpisodesFirstObservation) {
  // Replays each slot's step on a copy of that slot (state and generator):
  // on a step that ends the episode, the batch must report the step's own
  // reward and the observation of a reset made right after it.
  BatchedEnv env = make_batched_env(GetParam(), 4);
  env.reset(31);
  auto probe = make_env(GetParam());
  const int n = env.observation_size();
  std::vector<float> expected(n);
  int ends = 0;
  for (int t = 0; t < 5000 && ends < 12; ++t) {
    std::vector<std::vector<uint8_t>> states;
    std::vector<Rng> rngs;
    for (int i = 0; i < env.batch_size(); ++i) {
      StateWriter w;
      env.env(i).save(w);
      states.push_back(w.take());
      rngs.push_back(env.rng(i));
    }
    const auto actions = random_actions(env.batch_size(), env.spec().num_actions, 100 + t);
    env.step(actions);
    for (int i = 0; i < env.batch_size(); ++i) {
      if (!env.done(i)) continue;
      ++ends;
      StateReader r(states[i]);
      probe->load(r);
      Rng rng = rngs[i];
      const StepOutcome out = probe->step(actions[i], rng);
      EXPECT_EQ(out.reward, env.rewards()[i]);
      probe->reset(rng);
      probe->observe(expected.data());
      const float* row = env.observations() + static_cast<size_t>(i) * n;
      EXPECT_EQ(std::vector<float>(row, row + n), expected) << "slot " << i << " step " << t;
      EXPECT_GT(env.finished_length(i), 0);
      EXPECT_TRUE(rng == env.rng(i)) << "generator state after auto-reset differs";
    }
  }
  EXPECT_GT(ends, 0) << "no episode ended in 5000 random steps";
}

TEST_P(Conformance, RejectsOutOfRangeActions) {
  BatchedEnv env = make_batched_env(GetParam(), 2);
  env.reset(1);
  EXPECT_THROW(env.step(std::vector<int>{0, env.spec().num_actions}), std::invalid_argument);
  EXPECT_THROW(env.step(std::vector<int>{-1, 0}), std::invalid_argument);
  EXPECT_THROW(env.step(std::vector<int>{0}), std::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(AllEnvironments, Conformance, ::testing::ValuesIn(registered_names()),
                         [](const auto& info) { return info.param; });

TEST(Registry, UnknownNamesAndParametersAreClearErrors) {
  try {
    make_env("pong");
    FAIL() << "no throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("unknown environment 'pong'"), std::string::npos);
  }
  try {
    make_env("catch(rowz=3)");
    FAIL() << "no throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("rowz"), std::string::npos);
  }
  EXPECT_THROW(make_env("catch(rows=abc)"), std::invalid_argument);
  EXPECT_THROW(make_env("catch(rows=8"), std::invalid_argument);
  EXPECT_THROW(make_env("catch(rows=1)"), std::invalid_argument);
  EXPECT_THROW(make_batched_env("catch", 0), std::invalid_argument);
}

}  // namespace
}  // namespace disco
