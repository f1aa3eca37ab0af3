// Fuzz target: restoring an environment's saved state
// (BatchedEnv::restore_state and each Environment::load, src/envs/). The
// first byte picks the environment (env_states.h), the rest is the state, as
// a checkpoint holds it. A state that restores must save again to bytes that
// restore to the same state, and then step, observe and render in bounds.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "env_states.h"
#include "envs/registry.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const auto& names = disco::fuzz::env_state_names();
  const std::string& name = names[data[0] % names.size()];
  const std::vector<uint8_t> state(data + 1, data + size);
  disco::fuzz::expect_clean_refusals([&] {
    // A fresh batch each time: a refused restore may leave a batch half restored.
    disco::BatchedEnv env = disco::make_batched_env(name, disco::fuzz::kEnvStateBatch);
    env.reset(/*seed=*/0);
    env.restore_state(state);
    const auto saved = env.save_state();
    env.restore_state(saved);
    if (env.save_state() != saved) std::abort();
    const int actions = env.spec().num_actions;
    std::vector<float> obs(env.observation_size());
    for (int i = 0; i < env.batch_size(); ++i) env.env(i).render();
    std::vector<int> action(env.batch_size());
    for (int t = 0; t < 16; ++t) {
      for (int i = 0; i < env.batch_size(); ++i) {
        env.env(i).observe(obs.data());
        action[i] = (t + i) % actions;
      }
      env.step(action);
    }
  });
  return 0;
}
