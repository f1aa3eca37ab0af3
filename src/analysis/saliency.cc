#include "analysis/saliency.h"

#include <torch/torch.h>

#include "analysis/timeline.h"

namespace disco {

std::map<std::string, torch::Tensor> gradient_saliency(const ScalarOutputs& outputs,
                                                       const torch::Tensor& observations) {
  torch::AutoGradMode grad_on(true);
  const auto obs = observations.detach().clone().requires_grad_(true);
  const auto outs = outputs(obs);
  std::map<std::string, torch::Tensor> maps;
  for (const auto& [name, y] : outs) {
    // States are independent, so the gradient of the sum is each state's own.
    const auto g = torch::autograd::grad({y.sum()}, {obs}, {}, /*retain_graph=*/true,
                                         /*create_graph=*/false, /*allow_unused=*/true)[0];
    maps[name] = g.defined() ? g.abs().mean(0) : torch::zeros(obs.sizes().slice(1));
  }
  return maps;
}

torch::Tensor saliency_grid(const torch::Tensor& s) {
  if (s.dim() == 2) return s;
  if (s.dim() == 3) return s.sum(-1);
  return s.reshape({1, -1});
}

ScalarOutputs agent_scalar_outputs(const AgentNet& net, const ParamMap& params, double max_abs_value) {
  return [&net, &params, max_abs_value](const torch::Tensor& obs) {
    const AgentOuts outs = net.forward(params, obs);
    const auto& logits = outs.at("logits");
    const auto best = logits.argmax(-1);  // [N]
    std::map<std::string, torch::Tensor> s;
    if (outs.count("y")) s["y"] = outs.at("y").norm(2, -1);
    if (outs.count("z")) {
      const auto& z = outs.at("z");  // [N, A, Y]
      const auto index = best.view({-1, 1, 1}).expand({z.size(0), 1, z.size(2)});
      s["z"] = z.gather(1, index).squeeze(1).norm(2, -1);
    }
    s["policy"] = logits.gather(1, best.unsqueeze(1)).squeeze(1) - logits.mean(-1);
    if (outs.count("q") || outs.count("v")) s["value"] = agent_value(outs, max_abs_value);
    return s;
  };
}

}  // namespace disco
