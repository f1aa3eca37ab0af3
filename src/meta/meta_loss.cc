#include "meta/meta_loss.h"

#include <torch/torch.h>

#include <stdexcept>

#include "core/stop_gradient.h"
#include "rl/batch_lookup.h"
#include "rl/distributions.h"

namespace disco {
namespace {

const torch::Tensor& out(const MetaOuts& m, const std::string& key) {
  auto it = m.find(key);
  if (it == m.end())
    throw std::invalid_argument("meta-loss: the rule's outputs have no '" + key + "'");
  return it->second;
}

torch::Tensor mean_over(const std::vector<InnerRegularisers>& steps,
                        torch::Tensor InnerRegularisers::*term) {
  std::vector<torch::Tensor> xs;
  for (const auto& s : steps) xs.push_back(s.*term);
  return torch::stack(xs).mean();
}

}  // namespace

InnerRegularisers inner_regularisers(const MetaOuts& meta_outs) {
  const auto& pi_hat = out(meta_outs, "pi");
  const int64_t t = pi_hat.size(0);
  InnerRegularisers r;
  r.y_hat_mean_sq = out(meta_outs, "y").mean().square();
  r.z_hat_mean_sq = out(meta_outs, "z").mean().square();
  r.pi_hat_mean_sq = pi_hat.mean().square();
  const auto target_logits = stop_gradient(out(meta_outs, "target_out/logits").slice(0, 0, t));
  r.target_kl = rl::categorical_kl_divergence(target_logits, pi_hat).mean();
  return r;
}

torch::Tensor inner_regulariser_loss(const InnerRegularisers& r, int64_t num_steps,
                                     const MetaLossSettings& s) {
  return (s.meta_out_mean_sq_cost * (r.y_hat_mean_sq + r.z_hat_mean_sq + r.pi_hat_mean_sq) +
          s.target_kl_cost * r.target_kl) /
         static_cast<double>(num_steps);
}

ValidationLoss validation_loss(const AgentNet& net, const ParamMap& params,
                               const MetaValueFunction& value_fn, const MetaValueState& value,
                               const Rollout& valid, const MetaLossSettings& s) {
  ValidationLoss v;
  const auto agent = net.unroll(params, valid.observations, {"logits", "y", "z"});
  const int64_t l = valid.observations.size(0);
  {
    torch::NoGradGuard no_grad;
    v.value = value_fn.outs(value.params, value.adv_ema, value.td_ema, valid,
                            agent.at("logits").detach());
  }
  const auto adv = stop_gradient(v.value.normalized_adv);
  const auto logits = agent.at("logits").slice(0, 0, l - 1);
  const auto actions = valid.actions.slice(0, 0, l - 1);
  v.pg_loss = (-rl::categorical_log_prob(logits, actions) * adv).mean();
  v.pi_entropy = rl::entropy(logits).mean();
  v.y_entropy_loss = -rl::entropy(agent.at("y")).mean();
  const auto z_taken = rl::batch_lookup(agent.at("z"), valid.actions).slice(0, 0, l - 1);
  v.z_entropy_loss = -rl::entropy(z_taken).mean();
  v.loss = v.pg_loss - s.entropy_cost * v.pi_entropy +
           s.yz_entropy_cost * (v.y_entropy_loss + v.z_entropy_loss);
  for (const auto& [head, x] : agent) v.agent_out[head] = x.detach();
  return v;
}

std::map<std::string, torch::Tensor> meta_loss_terms(const ValidationLoss& valid,
                                                     const std::vector<InnerRegularisers>& steps,
                                                     const MetaLossSettings& s) {
  if (steps.empty()) throw std::invalid_argument("meta-loss: no inner steps");
  std::map<std::string, torch::Tensor> m;
  m["pg_loss"] = valid.pg_loss;
  m["pi_entropy"] = valid.pi_entropy;
  m["y_entropy_loss"] = valid.y_entropy_loss;
  m["z_entropy_loss"] = valid.z_entropy_loss;
  m["y_hat_mean_sq"] = mean_over(steps, &InnerRegularisers::y_hat_mean_sq);
  m["z_hat_mean_sq"] = mean_over(steps, &InnerRegularisers::z_hat_mean_sq);
  m["pi_hat_mean_sq"] = mean_over(steps, &InnerRegularisers::pi_hat_mean_sq);
  m["target_kl"] = mean_over(steps, &InnerRegularisers::target_kl);
  m["reg_loss"] = -s.entropy_cost * m["pi_entropy"] +
                  s.yz_entropy_cost * (m["y_entropy_loss"] + m["z_entropy_loss"]) +
                  s.meta_out_mean_sq_cost * m["y_hat_mean_sq"] +
                  s.meta_out_mean_sq_cost * m["z_hat_mean_sq"] +
                  s.meta_out_mean_sq_cost * m["pi_hat_mean_sq"] + s.target_kl_cost * m["target_kl"];
  m["total"] = m["pg_loss"] + m["reg_loss"];
  return m;
}

}  // namespace disco
