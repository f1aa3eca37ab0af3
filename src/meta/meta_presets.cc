#include "meta/meta_presets.h"

#include <map>
#include <stdexcept>

namespace disco {
namespace {

struct MetaPreset {
  nlohmann::json settings;
  std::vector<std::string> held_out;
};

const std::map<std::string, MetaPreset>& presets() {
  static const std::map<std::string, MetaPreset> all = {
      {"general",
       {{{"envs",
          {"catch(rows=5,columns=5)", "catch(rows=10,columns=5)", "gridworld(layout=rand_small)",
           "deep_sea(size=8)"}},
         {"population", 4},
         {"lifetimes", {100000, 200000, 400000}},
         {"lifetimes_start", 600},
         {"meta_optimizer_mode", "mean"},
         {"meta_grad_clip", 0.0},
         {"meta_optimizer", {{"learning_rate", 5e-4}}},
         {"agent_optimizer", {{"learning_rate", 3e-3}}},
         {"meta_steps", 2000}},
        {"catch(rows=8,columns=8)", "gridworld(layout=dense)", "minatar_breakout",
         "minatar_space_invaders", "minatar_asterix"}}}};
  return all;
}

const MetaPreset& find(const std::string& name) {
  const auto it = presets().find(name);
  if (it == presets().end()) {
    throw std::invalid_argument("unknown meta-training preset '" + name + "' (known: " +
                                meta_preset_names() + ")");
  }
  return it->second;
}

}  // namespace

nlohmann::json meta_preset_settings(const std::string& name) { return find(name).settings; }

std::string meta_preset_names() {
  std::string out;
  for (const auto& [name, p] : presets()) out += (out.empty() ? "" : ", ") + name;
  return out;
}

std::vector<std::string> meta_preset_held_out(const std::string& name) { return find(name).held_out; }

}  // namespace disco
