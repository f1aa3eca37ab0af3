// `disco envs`: the environments, their specs and parameters.
#include <iostream>
#include <sstream>

#include "commands.h"
#include "envs/registry.h"

namespace disco::cli {

void add_envs_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("envs", "List the environments with their specs and parameters");
  cmd->callback([]() {
    for (const EnvEntry& entry : env_registry()) {
      auto env = make_env(entry.name);
      const EnvSpec& s = env->spec();
      std::ostringstream shape;
      for (size_t i = 0; i < s.observation_shape.size(); ++i) {
        shape << (i ? "x" : "") << s.observation_shape[i];
      }
      std::cout << entry.name << "  " << entry.description << "\n"
                << "    default: " << s.name << "  observation " << shape.str() << "  actions "
                << s.num_actions;
      if (s.max_episode_steps > 0) std::cout << "  time limit " << s.max_episode_steps;
      std::cout << "  reward [" << s.min_reward << ", " << s.max_reward << "]\n";
      for (const EnvParamDoc& p : entry.params) {
        std::cout << "    " << p.name << " (" << p.type << ", default " << p.default_value
                  << "): " << p.description << "\n";
      }
    }
  });
}

}  // namespace disco::cli
