#include "eval/tuning.h"

#include <sstream>
#include <stdexcept>

#include "eval/eval_plan.h"

namespace disco {
namespace {

// {"a.b": v} -> {"a": {"b": v}}.
void put_dotted(nlohmann::json& out, const std::string& key, const nlohmann::json& value) {
  nlohmann::json* at = &out;
  std::stringstream parts(key);
  std::string part, next;
  std::getline(parts, part, '.');
  while (std::getline(parts, next, '.')) {
    at = &(*at)[part];
    part = next;
  }
  (*at)[part] = value;
}

void flatten(const nlohmann::json& j, const std::string& prefix, std::vector<std::string>& out) {
  for (const auto& [key, value] : j.items()) {
    const std::string name = prefix.empty() ? key : prefix + "." + key;
    if (value.is_object()) {
      flatten(value, name, out);
    } else {
      out.push_back(name + "=" + value.dump());
    }
  }
}

}  // namespace

std::map<std::string, std::vector<nlohmann::json>> tuning_configurations(
    const nlohmann::json& grid, const std::vector<std::string>& rules) {
  if (!grid.is_object()) throw std::invalid_argument("the grid must map rules to settings");
  std::map<std::string, std::vector<nlohmann::json>> out;
  for (const std::string& rule : rules) {
    const std::string label = rule_label(rule);
    if (!grid.contains(label)) {
      throw std::invalid_argument("the grid has no entry for rule '" + label +
                                  "'; every rule gets the same tuning budget");
    }
    const nlohmann::json& entry = grid.at(label);
    if (!entry.is_object() || entry.empty()) {
      throw std::invalid_argument("the grid entry of '" + label +
                                  "' must map settings keys to lists of values");
    }
    std::vector<nlohmann::json> configs = {nlohmann::json::object()};
    for (const auto& [key, values] : entry.items()) {
      if (!values.is_array() || values.empty()) {
        throw std::invalid_argument("the grid entry '" + label + "." + key +
                                    "' must be a non-empty list of values");
      }
      std::vector<nlohmann::json> next;
      for (const nlohmann::json& config : configs) {
        for (const nlohmann::json& v : values) {
          nlohmann::json c = config;
          put_dotted(c, key, v);
          next.push_back(c);
        }
      }
      configs = std::move(next);
    }
    out[rule] = std::move(configs);
  }
  for (const auto& [label, entry] : grid.items()) {
    bool known = false;
    for (const std::string& rule : rules) known = known || rule_label(rule) == label;
    if (!known) throw std::invalid_argument("the grid names rule '" + label + "', which --rules lacks");
  }
  const size_t count = out.begin()->second.size();
  for (const auto& [rule, configs] : out) {
    if (configs.size() != count) {
      throw std::invalid_argument(
          "rules get different tuning budgets: '" + rule_label(out.begin()->first) + "' has " +
          std::to_string(count) + " configurations, '" + rule_label(rule) + "' has " +
          std::to_string(configs.size()));
    }
  }
  return out;
}

nlohmann::json merge_settings(const nlohmann::json& base, const nlohmann::json& overrides) {
  nlohmann::json out = base.is_object() ? base : nlohmann::json::object();
  for (const auto& [key, value] : overrides.items()) {
    out[key] = value.is_object() && out.contains(key) && out[key].is_object()
                   ? merge_settings(out[key], value)
                   : value;
  }
  return out;
}

std::string configuration_label(const nlohmann::json& config) {
  std::vector<std::string> parts;
  flatten(config, "", parts);
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out.empty() ? "defaults" : out;
}

TuningResult choose_configuration(const std::vector<TaskScores>& scores) {
  if (scores.empty()) throw std::invalid_argument("no configurations to choose from");
  TuningResult r;
  for (size_t c = 0; c < scores.size(); ++c) {
    r.iqm.push_back(interquartile_mean(scores[c]));
    if (r.iqm[c] > r.iqm[r.chosen]) r.chosen = static_cast<int>(c);
  }
  return r;
}

}  // namespace disco
