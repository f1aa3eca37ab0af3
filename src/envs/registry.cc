#include "envs/registry.h"

#include <mutex>
#include <stdexcept>

#include "envs/catch/catch.h"
#include "envs/crafter/crafter.h"
#include "envs/deep_sea/deep_sea.h"
#include "envs/gridworld/gridworld.h"
#include "envs/sokoban/sokoban.h"
#include "envs/minatar/asterix.h"
#include "envs/minatar/breakout.h"
#include "envs/minatar/freeway.h"
#include "envs/minatar/minatar_entry.h"
#include "envs/minatar/seaquest.h"
#include "envs/minatar/space_invaders.h"

namespace disco {

const std::vector<EnvEntry>& env_registry() {
  static const std::vector<EnvEntry> table = {
      {"catch", "Catch (bsuite / disco_rl): catch a falling ball with a paddle.",
       {{"rows", "int", "10", "rows of the board"},
        {"columns", "int", "5", "columns of the board"}},
       [](EnvParams& p) { return std::make_unique<Catch>(CatchSettings::from(p)); }},
      gridworld_env_entry(),
      deep_sea_env_entry(),
      sokoban_env_entry(),
      crafter_env_entry(),
      minatar_entry<Breakout>("minatar_breakout", "MinAtar Breakout: bounce a ball to break bricks."),
      minatar_entry<Asterix>("minatar_asterix", "MinAtar Asterix: collect gold, avoid enemies."),
      minatar_entry<Freeway>("minatar_freeway", "MinAtar Freeway: cross eight lanes of traffic."),
      minatar_entry<Seaquest>("minatar_seaquest", "MinAtar Seaquest: shoot enemies, rescue divers, surface for air."),
      minatar_entry<SpaceInvaders>("minatar_space_invaders", "MinAtar Space Invaders: shoot the descending aliens."),
  };
  return table;
}

namespace {

std::mutex& runtime_mutex() {
  static std::mutex m;
  return m;
}

std::vector<EnvEntry>& runtime_table() {
  static std::vector<EnvEntry> table;
  return table;
}

}  // namespace

void add_runtime_env(EnvEntry entry) {
  for (const EnvEntry& builtin : env_registry()) {
    if (builtin.name == entry.name) {
      throw std::invalid_argument("environment name '" + entry.name + "' is taken by a built-in one");
    }
  }
  const std::lock_guard<std::mutex> lock(runtime_mutex());
  for (EnvEntry& e : runtime_table()) {
    if (e.name == entry.name) {
      e = std::move(entry);
      return;
    }
  }
  runtime_table().push_back(std::move(entry));
}

std::vector<EnvEntry> runtime_envs() {
  const std::lock_guard<std::mutex> lock(runtime_mutex());
  return runtime_table();
}

std::unique_ptr<Environment> make_env(const std::string& name_with_params) {
  EnvParams params = EnvParams::parse(name_with_params);
  std::vector<EnvEntry> entries = env_registry();
  for (EnvEntry& e : runtime_envs()) entries.push_back(std::move(e));
  for (const EnvEntry& entry : entries) {
    if (entry.name != params.name()) continue;
    auto env = entry.make(params);
    params.check_all_used();
    return env;
  }
  std::string known;
  for (const EnvEntry& entry : entries) known += (known.empty() ? "" : ", ") + entry.name;
  throw std::invalid_argument("unknown environment '" + params.name() + "' (known: " + known + ")");
}

BatchedEnv make_batched_env(const std::string& name_with_params, int batch) {
  if (batch <= 0) {
    throw std::invalid_argument("environment batch size must be positive, got " +
                                std::to_string(batch));
  }
  std::vector<std::unique_ptr<Environment>> envs;
  envs.reserve(batch);
  for (int i = 0; i < batch; ++i) envs.push_back(make_env(name_with_params));
  return BatchedEnv(std::move(envs));
}

std::vector<std::string> split_env_list(const std::string& list) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  for (char c : list) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ';' || (c == ',' && depth == 0)) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else if (c != ' ') {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

}  // namespace disco
