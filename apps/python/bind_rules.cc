// disco.Rule: an update rule by name or file, its weights as tensors, and its
// targets for a recorded rollout (what `disco targets` computes).
#include <torch/extension.h>

#include <pybind11/stl.h>

#include "bindings.h"
#include "core/shape_str.h"
#include "golden/disco_targets.h"
#include "io/npz_tensors.h"
#include "rules/disco_rule.h"
#include "rules/rule_factory.h"

namespace py = pybind11;

namespace disco::python {
namespace {

ParamMap to_param_map(const py::dict& d) {
  ParamMap out;
  for (const auto& [k, v] : d) {
    const auto key = k.cast<std::string>();
    if (!THPVariable_Check(v.ptr())) {
      throw std::invalid_argument("'" + key + "' must be a torch.Tensor");
    }
    out[key] = v.cast<torch::Tensor>().detach();
  }
  return out;
}

py::dict to_dict(const ParamMap& m) {
  py::dict d;
  for (const auto& [k, v] : m) d[py::str(k)] = v;
  return d;
}

const torch::Tensor& need(const ParamMap& m, const std::string& key) {
  auto it = m.find(key);
  if (it == m.end()) throw std::invalid_argument("rollout has no '" + key + "'");
  return it->second;
}

class PyRule {
 public:
  PyRule(const std::string& name, const py::object& settings, const std::string& weights)
      : source_(name) {
    nlohmann::json j = nlohmann::json::object();
    if (!settings.is_none()) {
      j = nlohmann::json::parse(py::module_::import("json").attr("dumps")(settings).cast<std::string>());
    }
    choice_ = make_rule(name, j, weights.empty() ? default_disco103_weights() : weights);
  }

  const std::string& source() const { return source_; }
  const std::string& kind() const { return choice_.kind; }
  std::string name() const { return choice_.rule->name(); }
  py::dict meta_params() const { return to_dict(choice_.meta_params); }

  void save(const std::string& path) const {
    if (choice_.meta_params.empty()) throw std::invalid_argument("a " + kind() + " rule has no weights to save");
    save_tensors(path, choice_.meta_params);
  }

  py::dict heads(int num_actions) const {
    py::dict d;
    d["flat"] = choice_.rule->flat_output_spec(num_actions);
    d["model"] = choice_.rule->model_output_spec(num_actions);
    d["behaviour"] = choice_.rule->behaviour_heads();
    return d;
  }

  // Disco: the golden layout of `disco targets`, with or without "call1/"
  // prefixes. Hand-designed rules: actions, rewards, discounts,
  // agent_out/<head>, behaviour_agent_out/<head>.
  py::dict targets(const py::dict& rollout) const {
    const ParamMap in = to_param_map(rollout);
    ParamMap out;
    {
      py::gil_scoped_release release;
      torch::AutoGradMode grad_on(true);  // losses' gradients w.r.t. the agent outputs
      out = choice_.kind == "disco" ? disco_targets(in) : hand_designed_targets(in);
    }
    return to_dict(out);
  }

 private:
  ParamMap disco_targets(const ParamMap& in) const {
    const auto& rule = dynamic_cast<const DiscoRule&>(*choice_.rule);
    const bool layered = in.count("call1/actions") > 0;
    if (layered) return run_disco_calls(rule, choice_.meta_params, in);
    ParamMap call;
    for (const auto& [k, v] : in) call["call1/" + k] = v;
    ParamMap out;
    for (const auto& [k, v] : run_disco_calls(rule, choice_.meta_params, call)) {
      out[k.rfind("call1/", 0) == 0 ? k.substr(6) : k] = v;
    }
    return out;
  }

  ParamMap hand_designed_targets(const ParamMap& in) const {
    torch::AutoGradMode grad(true);
    const auto actions = need(in, "actions").to(torch::kLong);
    const auto discounts = need(in, "discounts").to(torch::kFloat32);
    if (actions.dim() != 2 || discounts.sizes() != actions.sizes()) {
      throw std::invalid_argument("rollout: 'actions' and 'discounts' must both be [T+1, B]");
    }
    UpdateRuleInputs inputs;
    inputs.actions = actions;
    inputs.rewards = need(in, "rewards").to(torch::kFloat32);
    const int64_t t = actions.size(0) - 1;
    if (inputs.rewards.sizes() != torch::IntArrayRef({t, actions.size(1)})) {
      throw std::invalid_argument("rollout: 'rewards' must be [T, B] (reward of transition t)");
    }
    inputs.is_terminal = (discounts.slice(0, 1) == 0).to(torch::kFloat32);
    inputs.observations = torch::zeros({t + 1, actions.size(1)});
    const int num_actions = static_cast<int>(need(in, "agent_out/logits").size(-1));
    for (const auto& [head, shape] : choice_.rule->flat_output_spec(num_actions)) {
      const auto& x = need(in, "agent_out/" + head);
      std::vector<int64_t> want = {t + 1, actions.size(1)};
      want.insert(want.end(), shape.begin(), shape.end());
      if (x.sizes() != torch::IntArrayRef(want)) {
        throw std::invalid_argument("rollout: 'agent_out/" + head + "' has shape " +
                                    shape_str(x.sizes()) + ", expected " + shape_str(want));
      }
      inputs.agent_out[head] = x.to(torch::kFloat32).requires_grad_(true);
    }
    for (const auto& head : choice_.rule->behaviour_heads()) {
      const auto key = "behaviour_agent_out/" + head;
      inputs.behaviour_agent_out[head] =
          in.count(key) ? in.at(key).to(torch::kFloat32) : inputs.agent_out.at(head).detach();
    }
    const auto no_unroll = [](const ParamMap&, const torch::Tensor&, const torch::Tensor&,
                              const std::vector<std::string>&) -> AgentOuts {
      throw std::invalid_argument("this rule needs the agent network, which targets() does not have");
    };
    const auto state = choice_.rule->init_meta_state({});
    auto [meta_out, next] = choice_.rule->unroll_meta_net(choice_.meta_params, {}, state, inputs, no_unroll);
    const auto loss = choice_.rule->agent_loss(inputs, meta_out, /*backprop=*/false);
    const auto extra = choice_.rule->agent_loss_no_meta(inputs, meta_out);
    auto per_step = loss.per_step;
    if (extra.per_step.defined()) per_step = per_step + extra.per_step;
    const auto total = masked_total_loss(per_step, loss_mask_from_discounts(discounts));
    ParamMap out;
    for (const auto& [k, v] : meta_out) out["meta_out/" + k] = v.detach();
    out["loss/agent_loss"] = loss.per_step.detach();
    if (extra.per_step.defined()) out["loss/agent_loss_no_meta"] = extra.per_step.detach();
    out["loss/total"] = total.detach();
    std::vector<torch::Tensor> leaves;
    std::vector<std::string> names;
    for (const auto& [head, x] : inputs.agent_out) {
      leaves.push_back(x);
      names.push_back(head);
    }
    const auto grads = torch::autograd::grad({total}, leaves, {}, false, false, /*allow_unused=*/true);
    for (size_t i = 0; i < leaves.size(); ++i) {
      out["grad/agent_out/" + names[i]] = grads[i].defined() ? grads[i] : torch::zeros_like(leaves[i]);
    }
    return out;
  }

  std::string source_;
  RuleChoice choice_;
};

}  // namespace

void bind_rules(py::module_& m) {
  py::class_<PyRule>(m, "Rule", "An update rule: disco103, a Disco rule's .npz, actor_critic, "
                                "policy_gradient or ppo.")
      .def(py::init<const std::string&, const py::object&, const std::string&>(), py::arg("name"),
           py::arg("settings") = py::none(), py::arg("weights") = "")
      .def_property_readonly("source", &PyRule::source, "the name or path it was loaded from")
      .def_property_readonly("kind", &PyRule::kind)
      .def_property_readonly("name", &PyRule::name)
      .def_property_readonly("meta_params", &PyRule::meta_params,
                             "the meta-network's weights under the reference's names")
      .def("heads", &PyRule::heads, py::arg("num_actions"),
           "the heads an agent needs for this rule: flat and model (per action) shapes")
      .def("save", &PyRule::save, py::arg("path"))
      .def("targets", &PyRule::targets, py::arg("rollout"),
           "The rule's targets, losses and loss gradients for one recorded rollout (dict of "
           "tensors). Disco rules: the layout of `disco targets` (../shared/golden/README.md), "
           "with or without 'callK/' prefixes. Others: actions [T+1,B], rewards [T,B], "
           "discounts [T+1,B], agent_out/<head>, behaviour_agent_out/<head>.");
}

}  // namespace disco::python
