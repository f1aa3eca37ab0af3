#include "golden/disco_targets.h"

#include <torch/torch.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "core/shape_str.h"

namespace disco {
namespace {

const char* const kAgentHeads[] = {"logits", "y", "z", "aux_pi", "q"};
const char* const kTargetHeads[] = {"logits", "y", "z", "q"};
const char* const kStateKeys[] = {"meta_rnn/hidden",       "meta_rnn/cell",
                                  "adv_ema/moment1",       "adv_ema/moment2",
                                  "adv_ema/decay_product", "td_ema/moment1",
                                  "td_ema/moment2",        "td_ema/decay_product"};

// Reads the rollout file's tensors with their shapes checked.
class CallReader {
 public:
  CallReader(const ParamMap& file, const torch::Device& device) : file_(file), device_(device) {}

  bool has(const std::string& key) const { return file_.count(key) > 0; }

  torch::Tensor get(const std::string& key, const std::vector<int64_t>& shape,
                    torch::ScalarType dtype = torch::kFloat32) const {
    auto it = file_.find(key);
    if (it == file_.end()) throw std::invalid_argument("rollout file has no '" + key + "'");
    if (it->second.sizes() != at::IntArrayRef(shape)) {
      throw std::invalid_argument("rollout file: '" + key + "' has shape " +
                                  shape_str(it->second.sizes()) + ", expected " + shape_str(shape));
    }
    return it->second.to(device_, dtype);
  }

  const torch::Tensor& raw(const std::string& key) const {
    auto it = file_.find(key);
    if (it == file_.end()) throw std::invalid_argument("rollout file has no '" + key + "'");
    return it->second;
  }

 private:
  const ParamMap& file_;
  torch::Device device_;
};

struct Call {
  UpdateRuleInputs inputs;
  AgentOuts target_out;
  torch::Tensor loss_mask;  // [T, B]
};

Call read_call(const CallReader& reader, const std::string& p, const DiscoSettings& s) {
  // T and B from the actions [T+1, B], A from the online logits.
  const auto& actions = reader.raw(p + "actions");
  if (actions.dim() != 2 || actions.size(0) < 2) {
    throw std::invalid_argument("rollout file: '" + p + "actions' must be [T+1, B] with T >= 1, got " +
                                shape_str(actions.sizes()));
  }
  const int64_t t = actions.size(0) - 1, b = actions.size(1);
  const auto& logits = reader.raw(p + "agent_out/logits");
  if (logits.dim() != 3) {
    throw std::invalid_argument("rollout file: '" + p + "agent_out/logits' must be [T+1, B, A], got " +
                                shape_str(logits.sizes()));
  }
  const int64_t a = logits.size(2), y = s.net.prediction_size, nb = s.value.num_bins;
  const std::map<std::string, std::vector<int64_t>> head_shapes = {
      {"logits", {t + 1, b, a}},   {"y", {t + 1, b, y}},       {"z", {t + 1, b, a, y}},
      {"aux_pi", {t + 1, b, a, a}}, {"q", {t + 1, b, a, nb}}};

  Call call;
  UpdateRuleInputs& in = call.inputs;
  for (const char* head : kAgentHeads) {
    in.agent_out[head] = reader.get(p + "agent_out/" + head, head_shapes.at(head));
  }
  in.behaviour_agent_out["logits"] = reader.get(p + "behaviour_agent_out/logits", {t + 1, b, a});
  for (const char* head : kTargetHeads) {
    call.target_out[head] = reader.get(p + "target_out/" + head, head_shapes.at(head));
  }
  in.actions = reader.get(p + "actions", {t + 1, b}, torch::kLong);
  if (in.actions.numel() > 0 && (in.actions.min().item<int64_t>() < 0 ||
                                 in.actions.max().item<int64_t>() >= a)) {
    throw std::invalid_argument("rollout file: '" + p + "actions' must lie in [0, " +
                                std::to_string(a) + ")");
  }
  in.rewards = reader.get(p + "rewards", {t, b});
  if (reader.has(p + "discounts")) {
    const auto discounts = reader.get(p + "discounts", {t + 1, b});
    in.is_terminal = (discounts.slice(0, 1) == 0).to(torch::kFloat32);
    call.loss_mask = loss_mask_from_discounts(discounts);
  } else {
    in.is_terminal = reader.get(p + "is_terminal", {t, b});
    call.loss_mask = reader.get(p + "loss_mask", {t, b});
  }
  in.observations = torch::zeros({t + 1, b}, in.rewards.options());  // unused: targets given
  return call;
}

MetaState read_state_in(const CallReader& reader, const DiscoSettings& s,
                        const torch::Device& device) {
  MetaState state = disco_initial_rule_state(s, torch::TensorOptions().device(device));
  for (const char* key : kStateKeys) {
    const std::string name = std::string("call1/state_in/") + key;
    if (reader.has(name)) state[key] = reader.get(name, state.at(key).sizes().vec());
  }
  return state;
}

torch::Tensor to_cpu(const torch::Tensor& x) { return x.detach().to(torch::kCPU).contiguous(); }

void put_state(ParamMap& out, const std::string& prefix, const MetaState& state) {
  for (const char* key : kStateKeys) out[prefix + key] = to_cpu(state.at(key));
}

}  // namespace

int count_calls(const ParamMap& file) {
  int k = 0;
  while (file.count("call" + std::to_string(k + 1) + "/actions")) ++k;
  if (k == 0) throw std::invalid_argument("rollout file has no 'call1/actions' (no calls)");
  return k;
}

ParamMap run_disco_calls(const DiscoRule& rule, const ParamMap& meta_params_in, const ParamMap& file,
                         const torch::Device& device) {
  const DiscoSettings& s = rule.settings();
  check_meta_net_params(meta_params_in, s.net);
  const CallReader reader(file, device);
  const int num_calls = count_calls(file);
  std::vector<Call> calls;
  for (int k = 1; k <= num_calls; ++k) calls.push_back(read_call(reader, "call" + std::to_string(k) + "/", s));
  const MetaState initial = read_state_in(reader, s, device);

  ParamMap meta_params;
  for (const auto& [name, w] : meta_params_in) meta_params[name] = w.to(device, torch::kFloat32);

  // Pass 1: every output, and the learner's gradient w.r.t. the agent outputs.
  ParamMap out;
  MetaState state = initial;
  for (int k = 1; k <= num_calls; ++k) {
    const std::string p = "call" + std::to_string(k) + "/";
    Call& call = calls[k - 1];
    UpdateRuleInputs in = call.inputs;
    std::vector<torch::Tensor> agent_tensors;
    for (const char* head : kAgentHeads) {
      in.agent_out[head] = in.agent_out[head].detach().requires_grad_(true);
      agent_tensors.push_back(in.agent_out[head]);
    }
    auto [meta_out, next] = rule.unroll_with_target_out(meta_params, state, in, call.target_out);
    auto terms = rule.agent_loss_terms(in, meta_out, /*backprop=*/false);
    for (auto& [name, x] : rule.value_loss_terms(in, meta_out)) terms[name] = x;
    terms["total_per_step"] = terms.at("agent_loss") + terms.at("agent_loss_no_meta");
    const auto total = masked_total_loss(terms.at("total_per_step"), call.loss_mask);
    const auto grads = torch::autograd::grad({total}, agent_tensors, /*grad_outputs=*/{},
                                             /*retain_graph=*/false, /*create_graph=*/false,
                                             /*allow_unused=*/true);

    put_state(out, p + "state_in/", state);
    put_state(out, p + "state_out/", next);
    for (const auto& [key, x] : meta_out) {
      if (key.rfind("value_outs/", 0) == 0 || key.rfind("intermediates/", 0) == 0) {
        out[p + key] = to_cpu(x);
      }
    }
    for (const char* key : {"pi", "y", "z", "meta_input_emb"}) {
      out[p + "meta_out/" + key] = to_cpu(meta_out.at(key));
    }
    for (const auto& [name, x] : terms) out[p + "loss/" + name] = to_cpu(x);
    out[p + "loss/total"] = to_cpu(total);
    for (size_t i = 0; i < agent_tensors.size(); ++i) {
      out[p + "grad/agent_out/" + kAgentHeads[i]] =
          to_cpu(grads[i].defined() ? grads[i] : torch::zeros_like(agent_tensors[i]));
    }
    state = detach_all(next);
  }
  if (num_calls < 2) return out;

  // Pass 2: the meta-gradient of the last call's loss through all state updates.
  std::vector<std::string> names;
  std::vector<torch::Tensor> leaves;
  for (auto& [name, w] : meta_params) {
    w = w.detach().requires_grad_(true);
    names.push_back(name);
    leaves.push_back(w);
  }
  state = initial;
  torch::Tensor loss;
  for (int k = 1; k <= num_calls; ++k) {
    const Call& call = calls[k - 1];
    auto [meta_out, next] = rule.unroll_with_target_out(meta_params, state, call.inputs, call.target_out);
    if (k == num_calls) {
      const auto per_step = rule.agent_loss(call.inputs, meta_out, /*backprop=*/true).per_step +
                            rule.agent_loss_no_meta(call.inputs, meta_out).per_step;
      loss = masked_total_loss(per_step, call.loss_mask);
    }
    state = next;
  }
  const auto meta_grads = torch::autograd::grad({loss}, leaves, {}, false, false, /*allow_unused=*/true);
  for (size_t i = 0; i < names.size(); ++i) {
    out["meta_grad/" + names[i]] =
        to_cpu(meta_grads[i].defined() ? meta_grads[i] : torch::zeros_like(leaves[i]));
  }
  out["meta_grad_loss"] = to_cpu(loss);
  return out;
}

}  // namespace disco
