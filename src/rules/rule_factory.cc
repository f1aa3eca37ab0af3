#include "rules/rule_factory.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "io/config.h"
#include "rules/actor_critic.h"
#include "rules/disco_rule.h"
#include "rules/policy_gradient.h"
#include "rules/ppo.h"

namespace disco {
namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

ActorCriticSettings read_actor_critic(const nlohmann::json& j, const std::string& where) {
  ActorCriticSettings s;
  ConfigReader r(j, where);
  r.get("discount_factor", s.discount_factor);
  r.get("vtrace_lambda", s.vtrace_lambda);
  r.get("entropy_cost", s.entropy_cost);
  r.get("pg_cost", s.pg_cost);
  r.get("value_cost", s.value_cost);
  r.get("categorical_value", s.categorical_value);
  r.get("num_bins", s.num_bins);
  r.get("max_abs_value", s.max_abs_value);
  r.get("nonlinear_value_transform", s.nonlinear_value_transform);
  r.get("normalize_adv", s.normalize_adv);
  r.get("normalize_td", s.normalize_td);
  r.get("ema_decay", s.ema_decay);
  r.get("ema_eps", s.ema_eps);
  r.finish();
  return s;
}

PolicyGradientSettings read_policy_gradient(const nlohmann::json& j) {
  PolicyGradientSettings s;
  ConfigReader r(j, "rule settings (policy_gradient)");
  r.get("entropy_cost", s.entropy_cost);
  r.get("pg_cost", s.pg_cost);
  r.get("normalize_adv", s.normalize_adv);
  s.value = read_actor_critic(r.section("value"), "rule settings (policy_gradient.value)");
  r.finish();
  return s;
}

PpoSettings read_ppo(const nlohmann::json& j) {
  PpoSettings s;
  ConfigReader r(j, "rule settings (ppo)");
  r.get("gamma", s.gamma);
  r.get("gae_lambda", s.gae_lambda);
  r.get("clip_coef", s.clip_coef);
  r.get("clip_vloss", s.clip_vloss);
  r.get("ent_coef", s.ent_coef);
  r.get("vf_coef", s.vf_coef);
  r.get("norm_adv", s.norm_adv);
  r.finish();
  return s;
}

DiscoSettings read_disco(const nlohmann::json& j) {
  DiscoSettings s;
  ConfigReader r(j, "rule settings (disco)");
  r.get("pi_cost", s.pi_cost);
  r.get("y_cost", s.y_cost);
  r.get("z_cost", s.z_cost);
  r.get("aux_policy_cost", s.aux_policy_cost);
  r.get("value_cost", s.value_cost);
  r.get("target_params_coeff", s.target_params_coeff);
  r.get("value_discount", s.value.value_discount);
  r.get("td_lambda", s.value.td_lambda);
  r.get("predictions", s.predictions);
  r.get("bootstrap", s.net.prediction_targets_bootstrap);
  r.finish();
  return s;
}

// "disco103(predictions=off)" -> "disco103" and {"predictions": false}.
// Values: on/off/true/false, numbers, else strings.
std::pair<std::string, nlohmann::json> split_rule_name(const std::string& name) {
  const auto open = name.find('(');
  if (open == std::string::npos || ends_with(name, ".npz")) return {name, nlohmann::json::object()};
  if (name.back() != ')') throw std::invalid_argument("rule '" + name + "': expected NAME(key=value,...)");
  nlohmann::json j = nlohmann::json::object();
  std::string body = name.substr(open + 1, name.size() - open - 2);
  size_t start = 0;
  while (start < body.size()) {
    const size_t comma = std::min(body.find(',', start), body.size());
    const std::string item = body.substr(start, comma - start);
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw std::invalid_argument("rule '" + name + "': '" + item + "' is not key=value");
    }
    const std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    if (value == "on" || value == "true") {
      j[key] = true;
    } else if (value == "off" || value == "false") {
      j[key] = false;
    } else {
      char* end = nullptr;
      const double x = std::strtod(value.c_str(), &end);
      if (!value.empty() && end == value.c_str() + value.size()) {
        j[key] = x;
      } else {
        j[key] = value;
      }
    }
    start = comma + 1;
  }
  return {name.substr(0, open), j};
}

}  // namespace

std::string shipped_rules_dir() {
  const char* dir = std::getenv("DISCO_RULES_DIR");
  return dir && *dir ? dir : DISCO_RULES_DIR;
}

std::string shipped_rule_path(const std::string& name) {
  if (name.empty() || name[0] == '.' ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") !=
          std::string::npos) {
    return "";
  }
  const auto path = std::filesystem::path(shipped_rules_dir()) / (name + ".npz");
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec) ? path.string() : "";
}

std::vector<std::string> rule_names() {
  std::vector<std::string> names = {"disco103", "actor_critic", "policy_gradient", "ppo"};
  std::vector<std::string> shipped;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(shipped_rules_dir(), ec)) {
    const auto file = entry.path().filename().string();
    if (ends_with(file, ".npz") && !shipped_rule_path(file.substr(0, file.size() - 4)).empty()) {
      shipped.push_back(file.substr(0, file.size() - 4));
    }
  }
  std::sort(shipped.begin(), shipped.end());
  names.insert(names.end(), shipped.begin(), shipped.end());
  return names;
}

std::string rule_kind(const std::string& full_name) {
  const std::string name = split_rule_name(full_name).first;
  if (name == "disco103" || ends_with(name, ".npz") || !shipped_rule_path(name).empty()) return "disco";
  if (name == "actor_critic" || name == "policy_gradient" || name == "ppo") return name;
  std::string known;
  for (const auto& n : rule_names()) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown rule '" + name + "' (expected " + known +
                              " or a path to a rule .npz)");
}

void require_disco103_weights(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) return;
  throw std::invalid_argument(
      "the Disco103 weights are not at '" + path +
      "': get disco_rl/update_rules/weights/disco_103.npz from "
      "https://github.com/google-deepmind/disco_rl (sha256 "
      "dac840a15b81e8805326363458c33979626172618f620d9e6e170315388530aa) and pass it with "
      "--weights FILE");
}

RuleChoice make_rule(const std::string& full_name, const nlohmann::json& settings,
                     const std::string& disco103_weights) {
  RuleChoice choice;
  choice.kind = rule_kind(full_name);
  const auto [name, from_name] = split_rule_name(full_name);
  nlohmann::json j = settings.is_null() ? nlohmann::json::object() : settings;
  for (const auto& [key, value] : from_name.items()) j[key] = value;  // the name's own settings win
  if (choice.kind == "disco") {
    const auto s = read_disco(j);
    if (name == "disco103") require_disco103_weights(disco103_weights);
    const std::string shipped = shipped_rule_path(name);
    const std::string path = name == "disco103" ? disco103_weights : shipped.empty() ? name : shipped;
    choice.meta_params = load_disco_meta_params(path, s);
    choice.rule = std::make_unique<DiscoRule>(s);
  } else if (choice.kind == "actor_critic") {
    choice.rule = std::make_unique<ActorCritic>(read_actor_critic(j, "rule settings (actor_critic)"));
  } else if (choice.kind == "policy_gradient") {
    choice.rule = std::make_unique<PolicyGradient>(read_policy_gradient(j));
  } else {
    choice.rule = std::make_unique<Ppo>(read_ppo(j));
  }
  return choice;
}

}  // namespace disco
