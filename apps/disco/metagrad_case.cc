#include "metagrad_case.h"

#include <torch/torch.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "meta/meta_gradient.h"
#include "rules/disco_rule.h"

namespace disco {
namespace {

const torch::Tensor& key(const ParamMap& f, const std::string& name) {
  auto it = f.find(name);
  if (it == f.end()) throw std::invalid_argument("meta-grad case: missing key '" + name + "'");
  return it->second;
}

int64_t int_config(const ParamMap& f, const std::string& name) {
  return key(f, "config/" + name).item<int64_t>();
}

double float_config(const ParamMap& f, const std::string& name, double fallback) {
  auto it = f.find("config/" + name);
  return it == f.end() ? fallback : it->second.item<double>();
}

std::vector<int64_t> ints_config(const ParamMap& f, const std::string& name) {
  const auto t = key(f, "config/" + name).to(torch::kLong).contiguous();
  return std::vector<int64_t>(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel());
}

// Entries under `prefix`, with the prefix removed.
ParamMap group(const ParamMap& f, const std::string& prefix) {
  ParamMap out;
  for (const auto& [name, t] : f) {
    if (name.rfind(prefix, 0) == 0) out[name.substr(prefix.size())] = t;
  }
  return out;
}

// `got` must hold exactly the names and shapes of `expected`.
ParamMap checked(const ParamMap& got, const ParamMap& expected, const std::string& what,
                 const torch::Device& device) {
  ParamMap out;
  for (const auto& [name, like] : expected) {
    auto it = got.find(name);
    if (it == got.end())
      throw std::invalid_argument("meta-grad case: missing key '" + what + name + "'");
    if (it->second.sizes() != like.sizes()) {
      throw std::invalid_argument("meta-grad case: '" + what + name + "' has shape " +
                                  c10::str(it->second.sizes()) + ", expected " +
                                  c10::str(like.sizes()));
    }
    out[name] = it->second.to(device, torch::kFloat32);
  }
  for (const auto& [name, t] : got) {
    if (!expected.count(name))
      throw std::invalid_argument("meta-grad case: unexpected key '" + what + name + "'");
  }
  return out;
}

rl::EmaState ema(const ParamMap& f, const std::string& prefix, const torch::Device& device) {
  rl::EmaState e = rl::get_ema_state(f, prefix);
  for (auto* t : {&e.moment1, &e.moment2, &e.decay_product}) *t = t->to(device, torch::kFloat32);
  return e;
}

Rollout rollout(const ParamMap& f, const std::string& prefix, int64_t index,
                const torch::Device& device) {
  const auto get = [&](const char* name) {
    const auto& t = key(f, prefix + name);
    return index < 0 ? t : t[index];
  };
  Rollout r;
  r.observations = get("observations").to(device, torch::kFloat32);
  r.actions = get("actions").to(device, torch::kLong);
  r.rewards = get("rewards").to(device, torch::kFloat32);
  r.discounts = get("discounts").to(device, torch::kFloat32);
  r.agent_outs["logits"] = get("behaviour_logits").to(device, torch::kFloat32);
  return r;
}

}  // namespace

ParamMap run_metagrad_case(const ParamMap& f, const torch::Device& device, bool checkpointing) {
  const int64_t n = int_config(f, "num_inner_steps");
  const int64_t num_actions = int_config(f, "A");
  const int64_t obs_dim = int_config(f, "obs_dim");
  if (n <= 0 || num_actions <= 0 || obs_dim <= 0) {
    throw std::invalid_argument("meta-grad case: num_inner_steps, A and obs_dim must be positive");
  }

  DiscoSettings rule_settings;
  rule_settings.net.prediction_size = int_config(f, "prediction_size");
  rule_settings.net.meta_rnn_hidden_size = int_config(f, "meta_rnn_hidden");
  rule_settings.value.num_bins = int_config(f, "num_bins");
  auto& v = rule_settings.value;
  v.value_discount = float_config(f, "rule/value_discount", v.value_discount);
  v.td_lambda = float_config(f, "rule/value_fn_td_lambda", v.td_lambda);
  v.max_abs_value = float_config(f, "rule/max_abs_value", v.max_abs_value);
  v.ema_decay = float_config(f, "rule/ema_decay", v.ema_decay);
  v.ema_eps = float_config(f, "rule/ema_eps", v.ema_eps);
  auto& r = rule_settings;
  r.pi_cost = float_config(f, "rule/pi_cost", r.pi_cost);
  r.y_cost = float_config(f, "rule/y_cost", r.y_cost);
  r.z_cost = float_config(f, "rule/z_cost", r.z_cost);
  r.aux_policy_cost = float_config(f, "rule/aux_policy_cost", r.aux_policy_cost);
  r.value_cost = float_config(f, "rule/value_cost", r.value_cost);
  r.target_params_coeff =
      float_config(f, "target_params_coeff", float_config(f, "rule/target_params_coeff", 0.9));
  const DiscoRule rule(rule_settings);

  AgentNetSettings net_settings;
  net_settings.dense = ints_config(f, "agent_dense");
  net_settings.lstm_size = int_config(f, "lstm_size");
  net_settings.model_head_hiddens = ints_config(f, "head_mlp_hiddens");
  const AgentNet net(net_settings, {static_cast<int>(obs_dim)}, static_cast<int>(num_actions),
                     rule.flat_output_spec(num_actions), rule.model_output_spec(num_actions));

  InnerAdamSettings adam;
  adam.learning_rate = float_config(f, "agent_lr", 5e-4);
  adam.max_abs_update = float_config(f, "agent_max_abs_update", 1.0);
  adam.b1 = float_config(f, "adam_b1", 0.9);
  adam.b2 = float_config(f, "adam_b2", 0.999);
  adam.eps = float_config(f, "adam_eps", 1e-8);

  MetaValueSettings value_settings;
  value_settings.dense = ints_config(f, "value_dense");
  value_settings.learning_rate = float_config(f, "value_lr", 1e-3);
  value_settings.max_abs_update = float_config(f, "value_max_abs_update", 1.0);
  value_settings.discount = float_config(f, "value_discount", 0.99);
  value_settings.td_lambda = float_config(f, "value_td_lambda", 0.96);
  value_settings.outer_value_cost = float_config(f, "outer_value_cost", 1.0);
  value_settings.ema_decay = float_config(f, "value_ema_decay", 0.99);
  value_settings.ema_eps = float_config(f, "value_ema_eps", 1e-6);
  const MetaValueFunction value_fn(value_settings, {static_cast<int>(obs_dim)});

  MetaLossSettings loss;
  loss.entropy_cost = float_config(f, "entropy_cost", loss.entropy_cost);
  loss.yz_entropy_cost = float_config(f, "yz_entropy_cost", loss.yz_entropy_cost);
  loss.meta_out_mean_sq_cost = float_config(f, "meta_out_mean_sq_cost", loss.meta_out_mean_sq_cost);
  loss.target_kl_cost = float_config(f, "target_kl_cost", loss.target_kl_cost);

  // Rule parameters, agent and value state.
  ParamMap meta_params = group(f, "rule/");
  for (auto& [name, t] : meta_params) t = t.to(device, torch::kFloat32);
  check_meta_net_params(meta_params, rule_settings.net);

  const ParamMap agent_like = net.init(0);
  AgentState state;
  auto& learner = state.learner;
  learner.params = checked(group(f, "agent/"), agent_like, "agent/", device);
  learner.opt.count = key(f, "agent_opt/count").item<int64_t>();
  learner.opt.mu = checked(group(f, "agent_opt/mu/"), agent_like, "agent_opt/mu/", device);
  learner.opt.nu = checked(group(f, "agent_opt/nu/"), agent_like, "agent_opt/nu/", device);
  for (const auto& [name, t] : checked(group(f, "target/"), agent_like, "target/", device)) {
    learner.meta_state["target_params/" + name] = t;
  }
  learner.meta_state["meta_rnn/hidden"] =
      key(f, "meta_state/meta_rnn/hidden").to(device, torch::kFloat32);
  learner.meta_state["meta_rnn/cell"] =
      key(f, "meta_state/meta_rnn/cell").to(device, torch::kFloat32);
  for (const std::string e : {"adv_ema/", "td_ema/"}) {
    rl::put_ema_state(learner.meta_state, e, ema(f, "meta_state/" + e, device));
  }
  const ParamMap value_like = value_fn.net().init(0);
  state.value.params = checked(group(f, "value_fn/"), value_like, "value_fn/", device);
  state.value.opt.count = key(f, "value_opt/count").item<int64_t>();
  state.value.opt.mu = checked(group(f, "value_opt/mu/"), value_like, "value_opt/mu/", device);
  state.value.opt.nu = checked(group(f, "value_opt/nu/"), value_like, "value_opt/nu/", device);
  state.value.adv_ema = ema(f, "value_ema/adv_ema/", device);
  state.value.td_ema = ema(f, "value_ema/td_ema/", device);

  std::vector<Rollout> train;
  const int64_t stored = key(f, "train/observations").size(0);
  if (stored != n) {
    throw std::invalid_argument("meta-grad case: train/observations holds " +
                                std::to_string(stored) + " rollouts, config/num_inner_steps says " +
                                std::to_string(n));
  }
  for (int64_t k = 0; k < n; ++k) train.push_back(rollout(f, "train/", k, device));
  const Rollout valid = rollout(f, "valid/", -1, device);

  const MetaGradient meta_gradient(net, rule, adam, value_fn, loss);
  const auto result = meta_gradient.compute(meta_params, state, train, valid, checkpointing,
                                            /*record=*/true);

  ParamMap out;
  for (int64_t k = 0; k < n; ++k) {
    const auto& rec = result.steps[k];
    const auto& l = rec.learner;
    const std::string step = "step" + std::to_string(k) + "/";
    for (const auto& [name, t] : l.next.params) out[step + "agent/" + name] = t;
    out[step + "loss/total"] = l.log.at("total_loss");
    out[step + "loss/pi"] = l.log.at("pi_loss");
    out[step + "loss/y"] = l.log.at("y_loss");
    out[step + "loss/z"] = l.log.at("z_loss");
    out[step + "loss/aux_policy"] = l.log.at("aux_policy_loss");
    out[step + "loss/value"] = l.log.at("q_loss");
    out[step + "loss/grad_norm"] = l.log.at("global_gradient_norm");
    out[step + "loss/update_norm"] = l.log.at("update_norm");
    for (const char* name : {"pi", "y", "z", "meta_input_emb"}) {
      out[step + "meta_out/" + name] = l.meta_outs.at(name);
    }
    for (const char* name : {"q_target", "adv", "normalized_adv", "q_td", "normalized_q_td"}) {
      out[step + "value_outs/" + name] = l.meta_outs.at(std::string("value_outs/") + name);
    }
    for (const auto& [name, t] : l.next.meta_state) {
      if (name.rfind("target_params/", 0) != 0) out[step + "meta_state/" + name] = t;
    }
    out[step + "value_fn/loss"] = rec.value_loss;
    rl::put_ema_state(out, step + "value_ema/adv_ema/", rec.value.adv_ema);
    rl::put_ema_state(out, step + "value_ema/td_ema/", rec.value.td_ema);
  }
  const auto& final_learner = result.final_state.learner;
  for (const auto& [name, t] : final_learner.meta_state) {
    const std::string prefix = "target_params/";
    if (name.rfind(prefix, 0) == 0) out["final/target/" + name.substr(prefix.size())] = t;
  }
  out["final/agent_opt/count"] = torch::tensor(static_cast<int32_t>(final_learner.opt.count));
  for (const auto& [name, t] : final_learner.opt.mu) out["final/agent_opt/mu/" + name] = t;
  for (const auto& [name, t] : final_learner.opt.nu) out["final/agent_opt/nu/" + name] = t;
  for (const auto& [name, t] : result.final_state.value.params) out["final/value_fn/" + name] = t;
  out["valid/agent_out/logits"] = result.valid.agent_out.at("logits");
  out["valid/agent_out/y"] = result.valid.agent_out.at("y");
  out["valid/value_outs/value"] = result.valid.value.value;
  out["valid/value_outs/rho"] = result.valid.value.rho;
  out["valid/value_outs/adv"] = result.valid.value.adv;
  out["valid/value_outs/normalized_adv"] = result.valid.value.normalized_adv;
  for (const auto& [name, t] : result.meta_loss) out["meta_loss/" + name] = t;
  for (const auto& [name, t] : result.meta_grad) out["meta_grad/" + name] = t;
  for (auto& [name, t] : out) {
    t = t.detach().to(torch::kCPU);
    if (t.is_floating_point()) t = t.to(torch::kFloat32);
    t = t.contiguous();
  }
  return out;
}

}  // namespace disco
