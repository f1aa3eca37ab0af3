// Update rules by name: "disco103" (the published weights), a rule shipped
// under the repository's rules/ ("NAME" for rules/NAME.npz), a path to a
// Disco rule's .npz, "actor_critic", "policy_gradient" or "ppo", each with
// optional settings from a JSON object (unknown keys are errors). A name may
// carry settings of its own, which win over the object's:
// "disco103(predictions=off)", "disco103(bootstrap=off)" (the reliance
// ablations of rules/disco_rule.h), "actor_critic(entropy_cost=0.02)".
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "core/params.h"
#include "rules/update_rule.h"

namespace disco {

struct RuleChoice {
  std::unique_ptr<UpdateRule> rule;
  ParamMap meta_params;  // the rule's weights (empty for hand-designed rules)
  std::string kind;      // "disco", "actor_critic", "policy_gradient", "ppo"
};

// The names make_rule accepts besides .npz paths (the shipped rules' too).
std::vector<std::string> rule_names();

// The folder of shipped rules: $DISCO_RULES_DIR if set, else the
// repository's rules/ (the CMake cache variable DISCO_RULES_DIR).
std::string shipped_rules_dir();

// rules/NAME.npz for a shipped rule's NAME (letters, digits, '_', '-', '.'
// but no path), or "" when there is none.
std::string shipped_rule_path(const std::string& name);

// Kind of a rule name or path ("disco" for disco103 and *.npz); throws
// std::invalid_argument for anything else.
std::string rule_kind(const std::string& name_or_path);

// Throws std::invalid_argument when the Disco103 weights are not at `path`,
// saying where they were looked for, where to get them and how to pass them.
void require_disco103_weights(const std::string& path);

// `disco103_weights`: the .npz that "disco103" loads. A rule file with
// missing, extra or mis-shaped tensors throws std::invalid_argument.
RuleChoice make_rule(const std::string& name_or_path, const nlohmann::json& settings,
                     const std::string& disco103_weights);

}  // namespace disco
