// Fuzz target: an environment name with parameters (EnvParams::parse and
// make_env, src/envs/registry.h), e.g. "catch(rows=8,columns=8)". Every
// environment it builds is stepped in a batch of two, observed and rendered,
// and its state saved and restored. Names with a levels_file are skipped: a
// fuzzer must not read the machine's files (fuzz target sokoban_levels covers
// their parser).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "envs/registry.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string name = disco::fuzz::as_string(data, size);
  if (name.find("levels_file") != std::string::npos) return 0;
  disco::fuzz::expect_clean_refusals([&] {
    disco::BatchedEnv env = disco::make_batched_env(name, 2);
    const disco::EnvSpec& spec = env.spec();
    if (spec.num_actions < 1 || spec.observation_size() < 1) std::abort();
    // The canonical name builds the same environment.
    if (disco::make_env(spec.name)->spec().name != spec.name) std::abort();
    env.reset(/*seed=*/size);
    std::vector<int> actions(2);
    for (int t = 0; t < 24; ++t) {
      actions[0] = t % spec.num_actions;
      actions[1] = (t * 7 + 3) % spec.num_actions;
      env.step(actions);
    }
    env.env(0).render();
    const auto state = env.save_state();
    env.restore_state(state);
    if (env.save_state() != state) std::abort();
  });
  return 0;
}
