#include "agent/train_settings.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "io/config.h"
#include "rules/rule_factory.h"

namespace disco {

TrainSettings default_train_settings(const std::string& rule) {
  TrainSettings s;
  s.rule = rule;
  const std::string kind = rule_kind(rule);
  if (kind == "actor_critic" || kind == "policy_gradient") {
    s.optimizer.learning_rate = 5e-4;
    s.net.dense = {64, 32, 32};
    s.net.lstm_size = 64;
    s.net.model_head_hiddens = {64};
  } else if (kind == "ppo") {
    s.num_envs = 4;
    s.rollout_length = 129;
    s.replay_capacity = 0;
    s.min_replay = 0;
    s.batch_size = 4;
    s.epochs = 4;
    s.minibatches = 4;
    s.optimizer.learning_rate = 2.5e-4;
    s.optimizer.eps = 1e-5;
    s.optimizer.max_grad_norm = 0.5;
    s.optimizer.max_abs_update = 0.0;
    s.net.dense = {64, 64};
  }
  return s;
}

namespace {

// The keys of TrainSettings that do nothing with this replay setting.
std::vector<std::string> unused_keys(const TrainSettings& s) {
  if (s.replay_capacity > 0) return {"minibatches"};
  return {"batch_size", "min_replay"};
}

}  // namespace

void apply_settings_json(const nlohmann::json& j, TrainSettings& s, UnusedKeys unused) {
  ConfigReader r(j, "settings");
  r.get("rule", s.rule);
  r.get("env", s.env);
  r.get("seed", s.seed);
  r.get("steps", s.steps);
  r.get("device", s.device);
  r.get("num_envs", s.num_envs);
  r.get("rollout_length", s.rollout_length);
  r.get("batch_size", s.batch_size);
  r.get("replay_capacity", s.replay_capacity);
  r.get("min_replay", s.min_replay);
  r.get("epochs", s.epochs);
  r.get("minibatches", s.minibatches);
  r.get("log_every", s.log_every);
  r.get("checkpoint_every", s.checkpoint_every);
  if (j.contains("rule_settings")) s.rule_settings = r.section("rule_settings");
  r.section("rule_settings");
  apply_net_settings_json(r.section("net"), "settings.net", s.net);
  apply_optimizer_settings_json(r.section("optimizer"), "settings.optimizer", s.optimizer);
  r.finish();
  if (unused == UnusedKeys::kIgnore || !j.is_object()) return;
  std::string named;
  for (const auto& key : unused_keys(s)) {
    if (j.contains(key)) named += (named.empty() ? "" : ", ") + key;
  }
  if (named.empty()) return;
  const std::string why = s.replay_capacity > 0 ? "with replay (replay_capacity " +
                                                      std::to_string(s.replay_capacity) + ")"
                                                : "without replay (replay_capacity 0)";
  throw std::invalid_argument("settings: " + named + " would do nothing " + why + "; remove " +
                              (named.find(',') == std::string::npos ? "it" : "them"));
}

nlohmann::json settings_to_json(const TrainSettings& s) {
  nlohmann::json j = {{"rule", s.rule},
                      {"env", s.env},
                      {"seed", s.seed},
                      {"steps", s.steps},
                      {"device", s.device},
                      {"num_envs", s.num_envs},
                      {"rollout_length", s.rollout_length},
                      {"batch_size", s.batch_size},
                      {"replay_capacity", s.replay_capacity},
                      {"min_replay", s.min_replay},
                      {"epochs", s.epochs},
                      {"minibatches", s.minibatches},
                      {"log_every", s.log_every},
                      {"checkpoint_every", s.checkpoint_every},
                      {"rule_settings", s.rule_settings},
                      {"net", net_settings_to_json(s.net)},
                      {"optimizer", optimizer_settings_to_json(s.optimizer)}};
  for (const auto& key : unused_keys(s)) j.erase(key);
  return j;
}

void apply_net_settings_json(const nlohmann::json& j, const std::string& where,
                             AgentNetSettings& s) {
  ConfigReader n(j, where);
  n.get("torso", s.torso);
  n.get("dense", s.dense);
  n.get("conv_channels", s.conv_channels);
  n.get("head_w_init_std", s.head_w_init_std);
  n.get("lstm_size", s.lstm_size);
  n.get("model_head_hiddens", s.model_head_hiddens);
  n.finish();
}

nlohmann::json net_settings_to_json(const AgentNetSettings& s) {
  return {{"torso", s.torso},
          {"dense", s.dense},
          {"conv_channels", s.conv_channels},
          {"head_w_init_std", s.head_w_init_std},
          {"lstm_size", s.lstm_size},
          {"model_head_hiddens", s.model_head_hiddens}};
}

void apply_optimizer_settings_json(const nlohmann::json& j, const std::string& where,
                                   InnerAdamSettings& s) {
  ConfigReader o(j, where);
  o.get("learning_rate", s.learning_rate);
  o.get("b1", s.b1);
  o.get("b2", s.b2);
  o.get("eps", s.eps);
  o.get("max_abs_update", s.max_abs_update);
  o.get("max_grad_norm", s.max_grad_norm);
  o.finish();
}

nlohmann::json optimizer_settings_to_json(const InnerAdamSettings& s) {
  return {{"learning_rate", s.learning_rate},
          {"b1", s.b1},
          {"b2", s.b2},
          {"eps", s.eps},
          {"max_abs_update", s.max_abs_update},
          {"max_grad_norm", s.max_grad_norm}};
}

void validate_settings(const TrainSettings& s) {
  auto need = [](bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument(what);
  };
  need(s.steps > 0, "steps must be positive, got " + std::to_string(s.steps));
  need(s.num_envs > 0, "num_envs must be positive");
  need(s.rollout_length >= 2, "rollout_length must be at least 2 time steps");
  need(s.epochs > 0 && s.minibatches > 0, "epochs and minibatches must be positive");
  need(s.log_every > 0 && s.checkpoint_every > 0,
       "log_every and checkpoint_every must be positive");
  need(s.replay_capacity >= 0, "replay_capacity must be >= 0");
  if (s.replay_capacity > 0) {
    need(s.batch_size > 0, "batch_size must be positive");
    need(s.min_replay >= 0 && s.min_replay <= s.replay_capacity,
         "min_replay must lie in [0, replay_capacity]");
  } else {
    need(s.num_envs % s.minibatches == 0,
         "on-policy training needs num_envs divisible by minibatches");
  }
}

}  // namespace disco
