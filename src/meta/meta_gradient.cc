#include "meta/meta_gradient.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace disco {
namespace {

// Differentiable copies of the meta-parameters, in map order.
std::vector<torch::Tensor> make_leaves(const ParamMap& in, ParamMap& out) {
  std::vector<torch::Tensor> leaves;
  for (const auto& [name, t] : in) {
    out[name] = t.detach().requires_grad_(true);
    leaves.push_back(out[name]);
  }
  return leaves;
}

ParamMap grads_by_name(const ParamMap& like, const std::vector<torch::Tensor>& grads,
                       size_t offset = 0) {
  ParamMap out;
  size_t i = offset;
  for (const auto& [name, t] : like) {
    const auto& g = grads[i++];
    out[name] = g.defined() ? g.detach() : torch::zeros_like(t);
  }
  return out;
}

// The parts of a learner state that can carry a meta-gradient, by a flat
// name: parameters, Adam's first moment, and every floating meta-state entry
// (Disco: target params, meta-RNN state; its EMAs never carry one and come
// out without a graph). ν enters updates only through a stop-gradient.
std::map<std::string, torch::Tensor*> differentiable_parts(LearnerState& s) {
  std::map<std::string, torch::Tensor*> parts;
  for (auto& [name, t] : s.params) parts["params/" + name] = &t;
  for (auto& [name, t] : s.opt.mu) parts["mu/" + name] = &t;
  for (auto& [name, t] : s.meta_state) {
    if (t.is_floating_point()) parts["meta_state/" + name] = &t;
  }
  return parts;
}

MetaGradientResult finish(MetaGradientResult r) {
  for (auto& [name, t] : r.meta_loss) t = t.detach();
  r.valid.pg_loss = r.valid.pg_loss.detach();
  r.valid.pi_entropy = r.valid.pi_entropy.detach();
  r.valid.y_entropy_loss = r.valid.y_entropy_loss.detach();
  r.valid.z_entropy_loss = r.valid.z_entropy_loss.detach();
  r.valid.loss = r.valid.loss.detach();
  r.valid.value.v_raw = r.valid.value.v_raw.detach();
  return r;
}

InnerStepRecord detach_record(InnerStepRecord rec) {
  auto& l = rec.learner;
  l.next = detach_learner_state(l.next);
  for (auto& [k, t] : l.meta_outs) t = t.detach();
  l.total_loss = l.total_loss.detach();
  return rec;
}

}  // namespace

MetaGradient::MetaGradient(const AgentNet& net, const UpdateRule& rule,
                           InnerAdamSettings agent_optimizer, const MetaValueFunction& value_fn,
                           MetaLossSettings loss)
    : net_(net), rule_(rule), optimizer_(agent_optimizer), value_fn_(value_fn), loss_(loss) {}

InnerStepRecord MetaGradient::value_step(const MetaValueState& value, LearnerStepResult step,
                                         const Rollout& batch) const {
  InnerStepRecord rec;
  rec.value = value;
  // The value function learns on the same rollout, for the pre-step policy.
  rec.value_loss = value_fn_.update(rec.value, batch, step.agent_out.at("logits"));
  rec.learner = std::move(step);
  return rec;
}

MetaGradientResult MetaGradient::compute(const ParamMap& meta_params, const AgentState& state,
                                         const std::vector<Rollout>& train, const Rollout& valid,
                                         bool checkpointing, bool record) const {
  if (train.empty()) throw std::invalid_argument("meta-gradient: no training rollouts");
  return checkpointing ? checkpointed(meta_params, state, train, valid, record)
                       : unrolled(meta_params, state, train, valid, record);
}

MetaGradientResult MetaGradient::unrolled(const ParamMap& meta_params, const AgentState& state,
                                          const std::vector<Rollout>& train, const Rollout& valid,
                                          bool record) const {
  ParamMap eta;
  const auto eta_leaves = make_leaves(meta_params, eta);
  MetaGradientResult r;
  LearnerState learner = detach_learner_state(state.learner);
  MetaValueState value = state.value;
  std::vector<InnerRegularisers> regs;
  for (const auto& batch : train) {
    auto step = learner_step(net_, rule_, eta, optimizer_, learner, batch, /*meta_training=*/true);
    regs.push_back(inner_regularisers(step.meta_outs));
    learner = step.next;
    auto rec = value_step(value, std::move(step), batch);
    value = rec.value;
    if (record) r.steps.push_back(detach_record(std::move(rec)));
  }
  r.valid = validation_loss(net_, learner.params, value_fn_, value, valid, loss_);
  r.meta_loss = meta_loss_terms(r.valid, regs, loss_);
  const auto grads = torch::autograd::grad({r.meta_loss.at("total")}, eta_leaves, {},
                                           /*retain_graph=*/false, /*create_graph=*/false,
                                           /*allow_unused=*/true);
  r.meta_grad = grads_by_name(meta_params, grads);
  r.final_state = {detach_learner_state(learner), value};
  return finish(std::move(r));
}

MetaGradientResult MetaGradient::checkpointed(const ParamMap& meta_params, const AgentState& state,
                                              const std::vector<Rollout>& train,
                                              const Rollout& valid, bool record) const {
  const auto n = static_cast<int64_t>(train.size());
  MetaGradientResult r;
  // Forward without a graph, keeping the state before the first update of
  // each segment of ceil(sqrt(N)) updates: about sqrt(N) stored states.
  const auto segment = static_cast<int64_t>(std::ceil(std::sqrt(static_cast<double>(n))));
  std::vector<LearnerState> segment_starts;
  LearnerState learner = detach_learner_state(state.learner);
  MetaValueState value = state.value;
  std::vector<InnerRegularisers> regs;
  for (int64_t k = 0; k < n; ++k) {
    const auto& batch = train[k];
    if (k % segment == 0) segment_starts.push_back(learner);
    auto step = learner_step(net_, rule_, meta_params, optimizer_, learner, batch,
                             /*meta_training=*/false);
    {
      torch::NoGradGuard no_grad;
      regs.push_back(inner_regularisers(step.meta_outs));
    }
    learner = step.next;
    auto rec = value_step(value, std::move(step), batch);
    value = rec.value;
    if (record) r.steps.push_back(detach_record(std::move(rec)));
  }

  // The meta-loss's validation part and its adjoint of θ_N.
  ParamMap theta_n;
  const auto theta_leaves = make_leaves(learner.params, theta_n);
  r.valid = validation_loss(net_, theta_n, value_fn_, value, valid, loss_);
  r.meta_loss = meta_loss_terms(r.valid, regs, loss_);  // values only: regs carry no graph
  std::map<std::string, torch::Tensor> adjoint;
  {
    const auto g = torch::autograd::grad({r.valid.loss}, theta_leaves, {}, false, false, true);
    size_t i = 0;
    for (const auto& [name, t] : learner.params) {
      if (g[i].defined()) adjoint["params/" + name] = g[i];
      ++i;
    }
  }
  // The final state comes back from the recomputed last update; not keeping
  // it through the backward pass saves a state's memory.
  learner = LearnerState{};
  theta_n.clear();

  // Backward through the updates, recomputing each with a graph.
  ParamMap eta_grad;
  for (const auto& [name, t] : meta_params) eta_grad[name] = torch::zeros_like(t);
  for (int64_t seg = static_cast<int64_t>(segment_starts.size()) - 1; seg >= 0; --seg) {
    const int64_t k0 = seg * segment, k1 = std::min(n, k0 + segment);
    for (int64_t k = k1 - 1; k >= k0; --k) {
      // The state before update k, recomputed without a graph from the
      // segment's start: O(segment^2) graph-free updates, but only one state
      // alive besides the segment starts.
      LearnerState s = segment_starts[seg];
      for (int64_t j = k0; j < k; ++j) {
        s = learner_step(net_, rule_, meta_params, optimizer_, s, train[j], /*meta_training=*/false)
                .next;
      }
      ParamMap eta;
      const auto eta_leaves = make_leaves(meta_params, eta);
      s = detach_learner_state(s);
      std::vector<std::string> in_names;
      std::vector<torch::Tensor> inputs = eta_leaves;
      if (k > 0) {  // the state before the first update is a constant
        for (auto& [name, t] : differentiable_parts(s)) {
          *t = t->detach().requires_grad_(true);
          in_names.push_back(name);
          inputs.push_back(*t);
        }
      }
      auto step = learner_step(net_, rule_, eta, optimizer_, s, train[k], /*meta_training=*/true);
      if (k == n - 1) learner = detach_learner_state(step.next);
      std::vector<torch::Tensor> outputs = {
          inner_regulariser_loss(inner_regularisers(step.meta_outs), n, loss_)};
      std::vector<torch::Tensor> grad_outputs = {torch::ones({}, outputs[0].options())};
      for (auto& [name, t] : differentiable_parts(step.next)) {
        auto it = adjoint.find(name);
        if (it == adjoint.end() || !t->requires_grad()) continue;
        outputs.push_back(*t);
        grad_outputs.push_back(it->second);
      }
      const auto g = torch::autograd::grad(outputs, inputs, grad_outputs, false, false, true);
      size_t i = 0;
      for (auto& [name, t] : eta_grad) {
        if (g[i].defined()) t = t + g[i];
        ++i;
      }
      adjoint.clear();
      for (const auto& name : in_names) {
        if (g[i].defined()) adjoint[name] = g[i];
        ++i;
      }
    }
  }
  r.meta_grad = eta_grad;
  r.final_state = {detach_learner_state(learner), value};
  return finish(std::move(r));
}

}  // namespace disco
