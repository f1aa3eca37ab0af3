// Parameters as an ordered name -> tensor map, named as the reference's Haiku
// modules name them ("lstm/~/meta_lstm/~unroll/mlp/~/linear_0/w"), so that
// weights load by name and functional forwards can run on updated copies that
// keep the autograd graph.
#pragma once

#include <torch/types.h>

#include <map>
#include <stdexcept>
#include <string>

namespace disco {

using ParamMap = std::map<std::string, torch::Tensor>;

// p.at(name) with an error that names the missing parameter.
inline const torch::Tensor& param(const ParamMap& p, const std::string& name) {
  auto it = p.find(name);
  if (it == p.end()) throw std::invalid_argument("missing parameter '" + name + "'");
  return it->second;
}

// A copy of any name -> tensor map (parameters, meta-states, network
// outputs) without autograd history.
inline std::map<std::string, torch::Tensor> detach_all(const std::map<std::string, torch::Tensor>& m) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& [name, t] : m) out[name] = t.detach();
  return out;
}

}  // namespace disco
