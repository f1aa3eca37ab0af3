// Fuzz target: a settings file (parse_config_text, src/io/config.h), read both
// as JSON and as the YAML subset, then applied as `disco train --config` and
// `disco meta-train --config` apply it (every key, type and value checked,
// the environment names and the rule built), and as a run's settings.json on
// resume.
#include <algorithm>
#include <cstdint>
#include <string>

#include "agent/train_settings.h"
#include "envs/registry.h"
#include "fuzz_support.h"
#include "io/config.h"
#include "meta/meta_settings.h"
#include "rules/rule_factory.h"

namespace {

// Builds the environment `name` unless it names a file to read (a fuzzer must
// not read the machine's files; fuzz target sokoban_levels covers that parser).
void make_env_unless_file(const std::string& name) {
  if (name.find("levels_file") == std::string::npos) disco::make_env(name);
}

void apply(const std::string& text, bool yaml) {
  const nlohmann::json j = disco::parse_config_text(text, yaml, yaml ? "input.yaml" : "input.json");
  disco::fuzz::expect_clean_refusals([&] {  // as apps/disco/cmd_train.cc
    std::string rule = "disco103";
    if (j.contains("rule") && j["rule"].is_string()) rule = j["rule"];
    disco::TrainSettings s = disco::default_train_settings(rule);
    disco::apply_settings_json(j, s);
    disco::validate_settings(s);
    make_env_unless_file(s.env);
    // The rule's own settings (the Disco103 weights are not read: "" is no file).
    const auto& names = disco::rule_names();
    if (std::find(names.begin(), names.end(), s.rule) != names.end()) {
      disco::make_rule(s.rule, s.rule_settings, /*disco103_weights=*/"");
    }
  });
  disco::fuzz::expect_clean_refusals([&] {  // as Trainer::resume reads settings.json
    disco::TrainSettings s = disco::default_train_settings("actor_critic");
    disco::apply_settings_json(j, s, disco::UnusedKeys::kIgnore);
  });
  disco::fuzz::expect_clean_refusals([&] {  // as apps/disco/cmd_meta_train.cc
    disco::MetaTrainSettings s = disco::default_meta_train_settings();
    disco::apply_meta_settings_json(j, s);
    disco::validate_meta_settings(s);
    for (const auto& env : s.envs) make_env_unless_file(env);
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = disco::fuzz::as_string(data, size);
  for (bool yaml : {false, true}) {
    disco::fuzz::expect_clean_refusals([&] { apply(text, yaml); });
  }
  return 0;
}
