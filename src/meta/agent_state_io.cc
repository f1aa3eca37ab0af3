#include "meta/agent_state_io.h"

#include <torch/torch.h>

#include <stdexcept>

#include "agent/checkpoint.h"

namespace disco {
namespace {

rl::EmaState get_ema(const ParamMap& in, const std::string& prefix, torch::Device device) {
  rl::EmaState e = rl::get_ema_state(in, prefix);
  for (auto* t : {&e.moment1, &e.moment2, &e.decay_product}) *t = t->to(device, torch::kFloat32);
  return e;
}

void put_opt(ParamMap& out, const std::string& prefix, const InnerAdamState& s) {
  out[prefix + "count"] = torch::tensor(s.count);
  put_under(out, prefix + "mu/", s.mu);
  put_under(out, prefix + "nu/", s.nu);
}

}  // namespace

ParamMap entries_under(const ParamMap& in, const std::string& prefix) {
  ParamMap out;
  for (const auto& [name, t] : in) {
    if (name.rfind(prefix, 0) == 0) out[name.substr(prefix.size())] = t;
  }
  return out;
}

void put_under(ParamMap& out, const std::string& prefix, const ParamMap& in) {
  for (const auto& [name, t] : in) out[prefix + name] = t;
}

ParamMap load_like(const ParamMap& in, const std::string& prefix, const ParamMap& like,
                   torch::Device device) {
  ParamMap out;
  for (const auto& [name, t] : like) {
    const auto& x = param(in, prefix + name);
    if (x.sizes() != t.sizes()) {
      throw std::invalid_argument("checkpoint: '" + prefix + name + "' has shape " +
                                  c10::str(x.sizes()) + ", expected " + c10::str(t.sizes()));
    }
    out[name] = x.to(device, t.scalar_type());
  }
  return out;
}

std::vector<int64_t> checkpoint_counts(const ParamMap& in, const std::string& name, int64_t n) {
  const auto t = checkpoint_values(in, name, torch::kLong, n);
  std::vector<int64_t> out(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + n);
  for (const auto v : out) {
    if (v < 0) throw std::invalid_argument("checkpoint: '" + name + "' holds a negative count");
  }
  return out;
}

void put_agent_state(ParamMap& out, const std::string& prefix, const AgentState& s) {
  ParamMap learner;
  put_learner_state(learner, s.learner);
  put_under(out, prefix + "learner/", learner);
  put_under(out, prefix + "value/params/", s.value.params);
  put_opt(out, prefix + "value/opt/", s.value.opt);
  rl::put_ema_state(out, prefix + "value/adv_ema/", s.value.adv_ema);
  rl::put_ema_state(out, prefix + "value/td_ema/", s.value.td_ema);
}

AgentState get_agent_state(const ParamMap& in, const std::string& prefix, const AgentState& like,
                           torch::Device device) {
  AgentState s;
  s.learner = get_learner_state(entries_under(in, prefix + "learner/"), like.learner, device);
  s.value.params = load_like(in, prefix + "value/params/", like.value.params, device);
  s.value.opt.count = checkpoint_counts(in, prefix + "value/opt/count", 1)[0];
  s.value.opt.mu = load_like(in, prefix + "value/opt/mu/", like.value.params, device);
  s.value.opt.nu = load_like(in, prefix + "value/opt/nu/", like.value.params, device);
  s.value.adv_ema = get_ema(in, prefix + "value/adv_ema/", device);
  s.value.td_ema = get_ema(in, prefix + "value/td_ema/", device);
  return s;
}

void put_rollout(ParamMap& out, const std::string& prefix, const Rollout& r) {
  for (const auto& [name, t] : rollout_fields(r)) out[prefix + name] = t;
}

Rollout get_rollout(const ParamMap& in, const std::string& prefix, torch::Device device) {
  std::map<std::string, torch::Tensor> f;
  for (auto& [name, t] : entries_under(in, prefix)) f[name] = t.to(device);
  return rollout_from_fields(f);
}

}  // namespace disco
