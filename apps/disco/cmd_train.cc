// `disco train`: for now a random agent on an environment (issue 4 makes it
// real training); prints the average return of finished episodes.
#include <iostream>

#include "commands.h"
#include "envs/registry.h"

namespace disco::cli {

void add_train_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("train", "Train an agent (currently: a random agent)");
  static std::string env_name = "catch(rows=8,columns=8)";
  static int64_t steps = 10000;
  static int64_t seed = 0;
  static int batch = 2;
  cmd->add_option("--env", env_name, "environment name with parameters")->capture_default_str();
  cmd->add_option("--steps", steps, "environment steps per slot")->capture_default_str();
  cmd->add_option("--seed", seed, "random seed")->capture_default_str();
  cmd->add_option("--batch", batch, "environments stepped together")->capture_default_str();
  cmd->callback([]() {
    if (steps <= 0) throw UsageError("--steps must be positive, got " + std::to_string(steps));
    BatchedEnv env = make_batched_env(env_name, batch);
    env.reset(static_cast<uint64_t>(seed));
    Rng rng(static_cast<uint64_t>(seed) + 1);
    std::vector<int> actions(batch);
    double total = 0;
    int64_t episodes = 0;
    for (int64_t t = 0; t < steps; ++t) {
      for (int& a : actions) a = rng.uniform_int(env.spec().num_actions);
      env.step(actions);
      for (int i = 0; i < batch; ++i) {
        if (env.done(i)) {
          total += env.finished_return(i);
          ++episodes;
        }
      }
    }
    std::cout << "random agent on " << env.spec().name << ": " << episodes
              << " episodes, average return " << (episodes ? total / episodes : 0.0) << "\n";
  });
}

}  // namespace disco::cli
