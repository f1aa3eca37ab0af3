#include "meta/meta_gradient.h"

#include <torch/torch.h>

#include <algorithm>
#include <functional>
#include <map>
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
                                         bool checkpointing, bool record,
                                         int64_t checkpoint_slots) const {
  if (train.empty()) throw std::invalid_argument("meta-gradient: no training rollouts");
  return checkpointing ? checkpointed(meta_params, state, train, valid, record, checkpoint_slots)
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
                                              const Rollout& valid, bool record,
                                              int64_t slots) const {
  const auto n = static_cast<int64_t>(train.size());
  // The last update runs with its graph already in the forward sweep, so its
  // backward step needs no recomputation; the schedule covers the others.
  const CheckpointSchedule schedule(std::max<int64_t>(n - 1, 1), slots);
  MetaGradientResult r;
  ParamMap eta_grad;
  for (const auto& [name, t] : meta_params) eta_grad[name] = torch::zeros_like(t);
  std::map<std::string, torch::Tensor> adjoint;  // of the state after the update being reversed

  // Update k with a graph from its input state s, differentiable in the
  // rule's parameters and (but for k = 0, whose input is a constant) in s.
  struct GraphStep {
    LearnerStepResult step;
    std::vector<torch::Tensor> inputs;  // rule parameters, then parts of s
    std::vector<std::string> in_names;  // of those parts of s
  };
  const auto with_graph = [&](int64_t k, LearnerState s) {
    GraphStep g;
    ParamMap eta;
    g.inputs = make_leaves(meta_params, eta);
    s = detach_learner_state(s);
    if (k > 0) {
      for (auto& [name, t] : differentiable_parts(s)) {
        *t = t->detach().requires_grad_(true);
        g.in_names.push_back(name);
        g.inputs.push_back(*t);
      }
    }
    g.step = learner_step(net_, rule_, eta, optimizer_, s, train[k], /*meta_training=*/true);
    return g;
  };
  // Pushes the adjoint of state k+1 back through update k to state k and to
  // the rule's parameters; frees the update's graph.
  const auto pull = [&](GraphStep g) {
    std::vector<torch::Tensor> outputs = {
        inner_regulariser_loss(inner_regularisers(g.step.meta_outs), n, loss_)};
    std::vector<torch::Tensor> grad_outputs = {torch::ones({}, outputs[0].options())};
    for (auto& [name, t] : differentiable_parts(g.step.next)) {
      auto it = adjoint.find(name);
      if (it == adjoint.end() || !t->requires_grad()) continue;
      outputs.push_back(*t);
      grad_outputs.push_back(it->second);
    }
    const auto grads = torch::autograd::grad(outputs, g.inputs, grad_outputs, false, false, true);
    size_t i = 0;
    for (auto& [name, t] : eta_grad) {
      if (grads[i].defined()) t = t + grads[i];
      ++i;
    }
    adjoint.clear();
    for (const auto& name : g.in_names) {
      if (grads[i].defined()) adjoint[name] = grads[i];
      ++i;
    }
  };

  // Forward: updates 0..N-2 without a graph, keeping the states the
  // schedule's rightmost chain of splits needs; update N-1 with its graph.
  const auto positions = schedule.sweep_positions();
  std::map<int64_t, LearnerState> stored;
  LearnerState learner = detach_learner_state(state.learner);
  MetaValueState value = state.value;
  std::vector<InnerRegularisers> regs;
  GraphStep last;
  for (int64_t k = 0; k < n; ++k) {
    const auto& batch = train[k];
    LearnerStepResult step;
    if (k == n - 1) {
      last = with_graph(k, learner);
      step = last.step;
    } else {
      if (std::find(positions.begin(), positions.end(), k) != positions.end()) stored[k] = learner;
      step = learner_step(net_, rule_, meta_params, optimizer_, learner, batch,
                          /*meta_training=*/false);
    }
    {
      torch::NoGradGuard no_grad;
      regs.push_back(inner_regularisers(step.meta_outs));
    }
    learner = detach_learner_state(step.next);
    auto rec = value_step(value, std::move(step), batch);
    value = rec.value;
    if (record) r.steps.push_back(detach_record(std::move(rec)));
  }
  r.final_state = {learner, value};

  // The meta-loss's validation part and its adjoint of θ_N.
  {
    ParamMap theta_n;
    const auto theta_leaves = make_leaves(learner.params, theta_n);
    r.valid = validation_loss(net_, theta_n, value_fn_, value, valid, loss_);
    r.meta_loss = meta_loss_terms(r.valid, regs, loss_);  // values only: regs carry no graph
    const auto g = torch::autograd::grad({r.valid.loss}, theta_leaves, {}, false, false, true);
    size_t i = 0;
    for (const auto& [name, t] : learner.params) {
      if (g[i].defined()) adjoint["params/" + name] = g[i];
      ++i;
    }
  }
  learner = LearnerState{};
  pull(std::move(last));
  last = GraphStep{};

  // The state before update `to`, recomputed without a graph from the one
  // before update `from`.
  const auto advance = [&](LearnerState s, int64_t from, int64_t to) {
    for (int64_t j = from; j < to; ++j) {
      s = learner_step(net_, rule_, meta_params, optimizer_, s, train[j], /*meta_training=*/false)
              .next;
    }
    return s;
  };
  // Updates [lo, hi) in reverse order, given the stored state before lo and
  // `free` more slots.
  std::function<void(int64_t, int64_t, int64_t, bool)> reverse = [&](int64_t lo, int64_t hi,
                                                                     int64_t free, bool on_sweep) {
    if (hi - lo == 1) return pull(with_graph(lo, stored.at(lo)));
    if (free == 0) {
      for (int64_t k = hi - 1; k >= lo; --k) pull(with_graph(k, advance(stored.at(lo), lo, k)));
      return;
    }
    const int64_t m = lo + schedule.split(hi - lo, free, on_sweep);
    if (!on_sweep) stored[m] = advance(stored.at(lo), lo, m);
    reverse(m, hi, free - 1, on_sweep);
    stored.erase(m);
    reverse(lo, m, free, false);
  };
  if (n > 1) reverse(0, n - 1, schedule.slots(), true);
  r.meta_grad = eta_grad;
  return finish(std::move(r));
}

}  // namespace disco
