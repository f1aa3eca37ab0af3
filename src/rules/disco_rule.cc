#include "rules/disco_rule.h"

#include <torch/torch.h>

#include <stdexcept>

#include "core/leading_rows.h"
#include "core/stop_gradient.h"
#include "io/npz_tensors.h"
#include "nets/agent_net.h"
#include "rl/batch_lookup.h"
#include "rl/distributions.h"

namespace disco {
namespace {

const std::string kTargetParams = "target_params/";

const torch::Tensor& entry(const std::map<std::string, torch::Tensor>& map, const std::string& key,
                           const char* what) {
  auto it = map.find(key);
  if (it == map.end() || !it->second.defined()) {
    throw std::invalid_argument(std::string("disco rule: ") + what + " has no '" + key + "'");
  }
  return it->second;
}

ParamMap target_params_of(const MetaState& meta_state) {
  ParamMap target_params;
  for (const auto& [key, p] : meta_state) {
    if (key.rfind(kTargetParams, 0) == 0) target_params[key.substr(kTargetParams.size())] = p;
  }
  if (target_params.empty()) {
    throw std::invalid_argument(
        "disco rule: meta-state has no target_params/ (create it with init_meta_state)");
  }
  return target_params;
}

// A model head at the taken actions, steps [0, t): the network's own
// taken-action outputs where it returned them (AgentNet::
// unroll_taken_gradients), else selected from every action's. Select, then
// take the leading rows (core/leading_rows.h): the backward pass then
// scatters into one [T+1, B, A, Y] zero tensor.
torch::Tensor taken_outputs(const AgentOuts& agent, const std::string& head,
                            const torch::Tensor& actions, int64_t t) {
  const auto it = agent.find(taken_head(head));
  if (it != agent.end() && it->second.defined()) return leading_rows(it->second, t);
  return leading_rows(rl::batch_lookup(entry(agent, head, "agent_out"), actions.to(torch::kLong)), t);
}

}  // namespace

HeadSpecs DiscoRule::flat_output_spec(int num_actions) const {
  return {{"logits", {num_actions}}, {"y", {settings_.net.prediction_size}}};
}

HeadSpecs DiscoRule::model_output_spec(int num_actions) const {
  return {{"z", {settings_.net.prediction_size}},
          {"aux_pi", {num_actions}},
          {"q", {settings_.value.num_bins}}};
}

ParamMap DiscoRule::init_meta_params(uint64_t seed) const {
  return init_meta_net_params(settings_.net, seed);
}

MetaState DiscoRule::init_meta_state(const ParamMap& agent_params) const {
  auto options = torch::TensorOptions().dtype(torch::kFloat32);
  if (!agent_params.empty()) options = options.device(agent_params.begin()->second.device());
  MetaState state = disco_initial_rule_state(settings_, options);
  for (const auto& [name, p] : agent_params) state[kTargetParams + name] = p.detach().clone();
  return state;
}

std::pair<MetaOuts, MetaState> DiscoRule::unroll_with_target_out(const ParamMap& meta_params,
                                                                 const MetaState& meta_state,
                                                                 const UpdateRuleInputs& inputs,
                                                                 const AgentOuts& target_out,
                                                                 const torch::Tensor& cut_values) const {
  const AgentOuts& agent = inputs.agent_out;
  const AgentOuts& behaviour = inputs.behaviour_agent_out;
  const auto is_terminal = inputs.is_terminal.to(inputs.rewards.scalar_type());

  const DiscoValueResult value = disco_value_outs(
      entry(agent, "q", "agent_out"), entry(target_out, "q", "target_out"),
      entry(agent, "logits", "agent_out"), entry(behaviour, "logits", "behaviour_agent_out"),
      inputs.actions, inputs.rewards, is_terminal, rl::get_ema_state(meta_state, "adv_ema/"),
      rl::get_ema_state(meta_state, "td_ema/"), settings_.value, cut_values, inputs.shards);
  const DiscoValueOuts& v = value.outs;

  MetaNetInputs net_in;
  net_in.agent_logits = entry(agent, "logits", "agent_out");
  net_in.behaviour_logits = entry(behaviour, "logits", "behaviour_agent_out");
  net_in.target_logits = entry(target_out, "logits", "target_out");
  net_in.agent_y = entry(agent, "y", "agent_out");
  net_in.target_y = entry(target_out, "y", "target_out");
  net_in.agent_z = entry(agent, "z", "agent_out");
  net_in.target_z = entry(target_out, "z", "target_out");
  if (!settings_.predictions) {  // the reliance ablation: y and z are not read
    for (auto* x : {&net_in.agent_y, &net_in.target_y, &net_in.agent_z, &net_in.target_z}) {
      *x = torch::zeros_like(*x);
    }
  }
  net_in.actions = inputs.actions;
  net_in.rewards = inputs.rewards;
  net_in.is_terminal = is_terminal;
  net_in.v_scalar = v.v_scalar;
  net_in.adv = v.adv;
  net_in.normalized_adv = v.normalized_adv;
  net_in.target_q = v.q;
  net_in.qv_adv = v.qv_adv;
  net_in.normalized_qv_adv = v.normalized_qv_adv;
  const LstmState rnn_state{entry(meta_state, "meta_rnn/hidden", "meta-state"),
                            entry(meta_state, "meta_rnn/cell", "meta-state")};
  MetaNetOutputs net = meta_net_apply(meta_params, rnn_state, net_in, settings_.net, inputs.shards);

  MetaOuts outs{{"pi", net.pi}, {"y", net.y}, {"z", net.z}, {"meta_input_emb", net.meta_input_emb}};
  for (const auto& [name, x] : v.as_map()) outs["value_outs/" + name] = x;
  for (const auto& [name, x] : net.intermediates) outs["intermediates/" + name] = x;
  for (const char* head : {"logits", "y", "z", "q"}) {
    outs[std::string("target_out/") + head] = entry(target_out, head, "target_out");
  }

  MetaState next = meta_state;
  next["meta_rnn/hidden"] = net.meta_rnn_state.hidden;
  next["meta_rnn/cell"] = net.meta_rnn_state.cell;
  rl::put_ema_state(next, "adv_ema/", value.adv_ema);
  rl::put_ema_state(next, "td_ema/", value.td_ema);
  return {std::move(outs), std::move(next)};
}

// Time-limit cuts: the meta-network's inputs have no place for them, and it
// was meta-trained seeing episode ends only as discount 0, so it reads a cut
// as it reads a termination. Its value estimates, though, bootstrap from the
// observation the cut ended on (v = Σ_a π(a) q̄(a), online policy, target
// network's q, as Retrace bootstraps elsewhere), so the advantages the
// meta-network reads and the value loss carry no time-limit bias.
torch::Tensor DiscoRule::cut_values(const ParamMap& target_params, const UpdateRuleInputs& inputs,
                                    const UnrollFn& unroll_agent) const {
  if (!inputs.truncated_observations.defined()) return {};
  torch::NoGradGuard no_grad;  // values are constants wherever they are used
  const auto& obs = inputs.truncated_observations;  // [K, ...]
  const auto k = obs.size(0);
  const auto target = unroll_agent(detach_all(target_params), obs.unsqueeze(0),
                                   torch::zeros({1, k}, obs.options()), {});
  const auto pi = torch::softmax(entry(inputs.truncated_agent_out, "logits", "truncated_agent_out"), -1);
  const auto q = categorical_to_value(entry(target, "q", "target_out").squeeze(0),
                                      settings_.value.max_abs_value);
  return inputs.truncation_values((pi * q).sum(-1));
}

AgentOuts DiscoRule::unroll_rule_net(const MetaState& meta_state,
                                     const torch::Tensor& observations,
                                     const torch::Tensor& should_reset,
                                     const UnrollFn& unroll_agent) const {
  return unroll_agent(target_params_of(meta_state), observations, should_reset, {});
}

std::pair<MetaOuts, MetaState> DiscoRule::unroll_meta_net(const ParamMap& meta_params,
                                                          const ParamMap& agent_params,
                                                          const MetaState& meta_state,
                                                          const UpdateRuleInputs& inputs,
                                                          const UnrollFn& unroll_agent) const {
  const ParamMap target_params = target_params_of(meta_state);
  // The target network's y and z and its EMA keep their graphs when the
  // caller records one (meta-training: θ̄ and θ depend on the rule's
  // parameters through earlier updates). Its logits and q reach the
  // meta-network and the value targets only through stop-gradients
  // (nets/meta_net.cc, rules/disco_value.cc), so they need no graph.
  const AgentOuts target_out = unroll_agent(target_params, inputs.observations,
                                            inputs.should_reset_mask_fwd(), {"y", "z"});
  auto [outs, next] = unroll_with_target_out(meta_params, meta_state, inputs, target_out,
                                             cut_values(target_params, inputs, unroll_agent));

  // Target network: a slow EMA of the online parameters, from the pre-step θ.
  const double coeff = settings_.target_params_coeff;
  for (const auto& [name, old] : target_params) {
    next[kTargetParams + name] = old * coeff + param(agent_params, name) * (1.0 - coeff);
  }
  return {std::move(outs), std::move(next)};
}

std::map<std::string, torch::Tensor> DiscoRule::agent_loss_terms(const UpdateRuleInputs& inputs,
                                                                  const MetaOuts& meta_outs,
                                                                  bool backprop) const {
  const AgentOuts& agent = inputs.agent_out;
  const int64_t t = inputs.rewards.size(0);
  const auto& logits = entry(agent, "logits", "agent_out");

  auto pi_hat = entry(meta_outs, "pi", "meta_out");
  auto y_hat = entry(meta_outs, "y", "meta_out");
  auto z_hat = entry(meta_outs, "z", "meta_out");
  if (!backprop) {
    pi_hat = pi_hat.detach();
    y_hat = y_hat.detach();
    z_hat = z_hat.detach();
  }
  std::map<std::string, torch::Tensor> terms;
  terms["pi"] = rl::categorical_kl_divergence(pi_hat, leading_rows(logits, t));
  terms["y"] = rl::categorical_kl_divergence(y_hat, leading_rows(entry(agent, "y", "agent_out"), t));
  // Model heads at the taken actions (taken_outputs).
  const auto taken = [&](const char* head) { return taken_outputs(agent, head, inputs.actions, t); };
  terms["z"] = rl::categorical_kl_divergence(z_hat, taken("z"));

  // One-step policy prediction: aux_pi[a_t] predicts the next step's logits.
  const auto aux_pi_a = taken("aux_pi");
  const auto not_terminal = 1.0 - inputs.is_terminal.to(logits.scalar_type());
  terms["aux_policy"] =
      rl::categorical_kl_divergence(stop_gradient(logits.slice(0, 1, t + 1)), aux_pi_a) * not_terminal;

  const DiscoSettings& s = settings_;
  terms["agent_loss"] = s.pi_cost * terms["pi"] + s.y_cost * terms["y"] + s.z_cost * terms["z"] +
                        s.aux_policy_cost * terms["aux_policy"];
  return terms;
}

std::map<std::string, torch::Tensor> DiscoRule::value_loss_terms(const UpdateRuleInputs& inputs,
                                                                  const MetaOuts& meta_outs) const {
  const int64_t t = inputs.rewards.size(0);
  const auto q_a = taken_outputs(inputs.agent_out, "q", inputs.actions, t);
  const auto td = stop_gradient(entry(meta_outs, "value_outs/q_td", "meta_out"));
  std::map<std::string, torch::Tensor> terms;
  terms["value"] = categorical_value_loss_from_td(q_a, td, settings_.value.max_abs_value);
  terms["agent_loss_no_meta"] = terms["value"] * settings_.value_cost;
  return terms;
}

LossOut DiscoRule::agent_loss(const UpdateRuleInputs& inputs, const MetaOuts& meta_outs,
                              bool backprop) const {
  auto terms = agent_loss_terms(inputs, meta_outs, backprop);
  LossOut out;
  out.per_step = terms.at("agent_loss");
  torch::NoGradGuard no_grad;
  for (const char* name : {"pi", "y", "z", "aux_policy"}) {
    out.log[std::string(name) + "_loss"] = terms.at(name).mean();
  }
  const int64_t t = inputs.rewards.size(0);
  out.log["entropy"] = rl::entropy(inputs.agent_out.at("logits").slice(0, 0, t)).mean();
  out.log["pi_hat_entropy"] = rl::entropy(meta_outs.at("pi")).mean();
  return out;
}

LossOut DiscoRule::agent_loss_no_meta(const UpdateRuleInputs& inputs,
                                      const MetaOuts& meta_outs) const {
  auto terms = value_loss_terms(inputs, meta_outs);
  LossOut out;
  out.per_step = terms.at("agent_loss_no_meta");
  torch::NoGradGuard no_grad;
  out.log["q_loss"] = terms.at("value").mean();
  out.log["q_target"] = meta_outs.at("value_outs/q_target").mean();
  out.log["td"] = meta_outs.at("value_outs/q_td").mean();
  out.log["normalized_td"] = meta_outs.at("value_outs/normalized_q_td").mean();
  return out;
}

ParamMap load_disco_meta_params(const std::string& path, const DiscoSettings& settings) {
  ParamMap params = load_tensors(path);
  check_meta_net_params(params, settings.net);
  return params;
}

MetaState disco_initial_rule_state(const DiscoSettings& settings,
                                   const torch::TensorOptions& options) {
  const LstmState rnn = meta_rnn_initial_state(settings.net, options);
  MetaState state{{"meta_rnn/hidden", rnn.hidden}, {"meta_rnn/cell", rnn.cell}};
  rl::put_ema_state(state, "adv_ema/", rl::ema_init(options));
  rl::put_ema_state(state, "td_ema/", rl::ema_init(options));
  return state;
}

}  // namespace disco
