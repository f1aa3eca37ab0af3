#include "meta/meta_settings.h"

#include <cmath>
#include <stdexcept>

#include "agent/train_settings.h"
#include "io/config.h"

namespace disco {

MetaTrainSettings default_meta_train_settings() {
  MetaTrainSettings s;
  s.net.dense = {512, 512};
  s.net.lstm_size = 256;
  s.net.model_head_hiddens = {256};
  s.net.head_w_init_std = 1e-2;
  s.agent_optimizer.learning_rate = 5e-4;
  s.agent_optimizer.max_abs_update = 1.0;
  return s;
}

void apply_meta_settings_json(const nlohmann::json& j, MetaTrainSettings& s) {
  ConfigReader r(j, "settings");
  r.get("envs", s.envs);
  r.get("population", s.population);
  r.get("inner_steps", s.inner_steps);
  r.get("rollout", s.rollout);
  r.get("batch", s.batch);
  r.get("meta_steps", s.meta_steps);
  r.get("init", s.init);
  r.get("seed", s.seed);
  r.get("device", s.device);
  r.get("meta_optimizer_mode", s.meta_optimizer_mode);
  r.get("meta_grad_clip", s.meta_grad_clip);
  r.get("window", s.window);
  r.get("lifetimes", s.lifetimes);
  r.get("lifetimes_start", s.lifetimes_start);
  r.get("replay_fraction", s.replay_fraction);
  r.get("replay_capacity", s.replay_capacity);
  r.get("checkpointing", s.checkpointing);
  r.get("checkpoint_slots", s.checkpoint_slots);
  r.get("log_every", s.log_every);
  r.get("checkpoint_every", s.checkpoint_every);
  r.get("rule_every", s.rule_every);
  apply_net_settings_json(r.section("net"), "settings.net", s.net);
  apply_optimizer_settings_json(r.section("agent_optimizer"), "settings.agent_optimizer",
                                s.agent_optimizer);
  {
    ConfigReader v(r.section("value"), "settings.value");
    v.get("dense", s.value.dense);
    v.get("learning_rate", s.value.learning_rate);
    v.get("max_abs_update", s.value.max_abs_update);
    v.get("discount", s.value.discount);
    v.get("td_lambda", s.value.td_lambda);
    v.get("outer_value_cost", s.value.outer_value_cost);
    v.get("ema_decay", s.value.ema_decay);
    v.get("ema_eps", s.value.ema_eps);
    v.finish();
  }
  {
    ConfigReader l(r.section("loss"), "settings.loss");
    l.get("entropy_cost", s.loss.entropy_cost);
    l.get("yz_entropy_cost", s.loss.yz_entropy_cost);
    l.get("meta_out_mean_sq_cost", s.loss.meta_out_mean_sq_cost);
    l.get("target_kl_cost", s.loss.target_kl_cost);
    l.finish();
  }
  {
    ConfigReader m(r.section("meta_optimizer"), "settings.meta_optimizer");
    m.get("learning_rate", s.meta_optimizer.learning_rate);
    m.get("b1", s.meta_optimizer.b1);
    m.get("b2", s.meta_optimizer.b2);
    m.get("eps", s.meta_optimizer.eps);
    m.finish();
  }
  r.finish();
}

nlohmann::json meta_settings_to_json(const MetaTrainSettings& s) {
  return {{"envs", s.envs},
          {"population", s.population},
          {"inner_steps", s.inner_steps},
          {"rollout", s.rollout},
          {"batch", s.batch},
          {"meta_steps", s.meta_steps},
          {"init", s.init},
          {"seed", s.seed},
          {"device", s.device},
          {"meta_optimizer_mode", s.meta_optimizer_mode},
          {"meta_grad_clip", s.meta_grad_clip},
          {"window", s.window},
          {"lifetimes", s.lifetimes},
          {"lifetimes_start", s.lifetimes_start},
          {"replay_fraction", s.replay_fraction},
          {"replay_capacity", s.replay_capacity},
          {"checkpointing", s.checkpointing},
          {"checkpoint_slots", s.checkpoint_slots},
          {"log_every", s.log_every},
          {"checkpoint_every", s.checkpoint_every},
          {"rule_every", s.rule_every},
          {"net", net_settings_to_json(s.net)},
          {"agent_optimizer", optimizer_settings_to_json(s.agent_optimizer)},
          {"value",
           {{"dense", s.value.dense},
            {"learning_rate", s.value.learning_rate},
            {"max_abs_update", s.value.max_abs_update},
            {"discount", s.value.discount},
            {"td_lambda", s.value.td_lambda},
            {"outer_value_cost", s.value.outer_value_cost},
            {"ema_decay", s.value.ema_decay},
            {"ema_eps", s.value.ema_eps}}},
          {"loss",
           {{"entropy_cost", s.loss.entropy_cost},
            {"yz_entropy_cost", s.loss.yz_entropy_cost},
            {"meta_out_mean_sq_cost", s.loss.meta_out_mean_sq_cost},
            {"target_kl_cost", s.loss.target_kl_cost}}},
          {"meta_optimizer",
           {{"learning_rate", s.meta_optimizer.learning_rate},
            {"b1", s.meta_optimizer.b1},
            {"b2", s.meta_optimizer.b2},
            {"eps", s.meta_optimizer.eps}}}};
}

void validate_meta_settings(const MetaTrainSettings& s) {
  auto need = [](bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument(what);
  };
  need(!s.envs.empty(), "envs must name at least one environment");
  need(s.population > 0, "population must be positive, got " + std::to_string(s.population));
  need(s.population >= static_cast<int>(s.envs.size()),
       "population " + std::to_string(s.population) + " is smaller than the " +
           std::to_string(s.envs.size()) + " environments listed: every environment needs an agent");
  need(s.inner_steps > 0, "inner-steps must be positive, got " + std::to_string(s.inner_steps));
  need(s.rollout >= 2, "rollout must be at least 2 time steps, got " + std::to_string(s.rollout));
  need(s.batch > 0, "batch must be positive, got " + std::to_string(s.batch));
  need(s.meta_steps > 0, "meta-steps must be positive, got " + std::to_string(s.meta_steps));
  need(s.window >= 0 && s.window <= 20,
       "window must lie in [0, 20] agent updates, got " + std::to_string(s.window));
  need(s.meta_optimizer_mode == "mean" || s.meta_optimizer_mode == "per_agent",
       "meta_optimizer_mode must be mean or per_agent, got '" + s.meta_optimizer_mode + "'");
  need(s.meta_grad_clip >= 0, "meta_grad_clip must be >= 0");
  need(s.replay_fraction >= 0 && s.replay_fraction < 1,
       "replay_fraction must lie in [0, 1), got " + std::to_string(s.replay_fraction));
  need(s.replay_fraction == 0 || fresh_per_update(s) >= 1,
       "replay_fraction leaves no fresh trajectory in an update of batch " + std::to_string(s.batch));
  need(s.replay_fraction == 0 || s.replay_capacity >= s.batch,
       "replay_capacity must hold at least one batch (" + std::to_string(s.batch) +
           " trajectories), got " + std::to_string(s.replay_capacity));
  need(s.checkpoint_slots >= 0,
       "checkpoint_slots must be >= 0, got " + std::to_string(s.checkpoint_slots));
  need(s.meta_optimizer.learning_rate > 0, "meta_optimizer.learning_rate must be positive");
  for (auto b : s.lifetimes) need(b > 0, "lifetimes must be positive env-step budgets");
  need(s.lifetimes_start >= 0,
       "lifetimes_start must be >= 0, got " + std::to_string(s.lifetimes_start));
  need(s.lifetimes_start == 0 || !s.lifetimes.empty(), "lifetimes_start needs lifetimes");
  need(s.log_every > 0 && s.checkpoint_every > 0 && s.rule_every > 0,
       "log_every, checkpoint_every and rule_every must be positive");
}

int effective_window(const MetaTrainSettings& s) { return std::max(s.window, s.inner_steps); }

int fresh_per_update(const MetaTrainSettings& s) {
  return s.batch - static_cast<int>(std::lround(s.batch * s.replay_fraction));
}

}  // namespace disco
