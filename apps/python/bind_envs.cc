// disco.make / disco.envs: batched environments whose step writes into the
// environment's own contiguous buffers; Python sees those buffers as tensors
// (no copy, no allocation per step).
#include <torch/extension.h>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>

#include "bindings.h"
#include "envs/registry.h"
#include "python_env.h"

namespace py = pybind11;

namespace disco::python {
namespace {

py::dict spec_dict(const EnvSpec& s) {
  py::dict d;
  d["name"] = s.name;
  d["observation_shape"] = py::tuple(py::cast(s.observation_shape));
  d["num_actions"] = s.num_actions;
  d["max_episode_steps"] = s.max_episode_steps;
  d["reward_range"] = py::make_tuple(s.min_reward, s.max_reward);
  d["observation_range"] = py::make_tuple(s.min_observation, s.max_observation);
  return d;
}

// Owns the batch through a shared_ptr that every returned tensor's storage
// also holds, so a tensor kept after the environment is dropped stays valid.
class PyBatchedEnv {
 public:
  PyBatchedEnv(const std::string& name, int batch, uint64_t seed) : seed_(seed) {
    if (batch < 1) throw std::invalid_argument("batch must be positive, got " + std::to_string(batch));
    env_ = std::make_shared<BatchedEnv>(make_batched_env(name, batch));
    std::vector<int64_t> obs_shape = {batch};
    for (int d : env_->spec().observation_shape) obs_shape.push_back(d);
    obs_ = view(env_->observations(), obs_shape, torch::kFloat32);
    rewards_ = view(env_->rewards(), {batch}, torch::kFloat32);
    terminals_ = view(env_->terminals(), {batch}, torch::kBool);
    truncations_ = view(env_->truncations(), {batch}, torch::kBool);
    actions_.assign(batch, 0);
  }

  const EnvSpec& spec() const { return env_->spec(); }
  int batch_size() const { return env_->batch_size(); }

  torch::Tensor reset(std::optional<uint64_t> seed) {
    const uint64_t s = seed ? *seed : seed_ + resets_;
    ++resets_;
    py::gil_scoped_release release;
    env_->reset(s);
    return obs_;
  }

  py::tuple step(const py::object& actions) {
    read_actions(actions);
    {
      py::gil_scoped_release release;
      env_->step(actions_.data());
    }
    return py::make_tuple(obs_, rewards_, terminals_, truncations_);
  }

  torch::Tensor finished_returns() const {
    auto out = torch::full({batch_size()}, std::numeric_limits<float>::quiet_NaN());
    auto* p = out.data_ptr<float>();
    for (int i = 0; i < batch_size(); ++i) {
      if (env_->done(i)) p[i] = env_->finished_return(i);
    }
    return out;
  }

  std::string render(int i) const {
    check_slot(i);
    return env_->env(i).render();
  }
  std::vector<std::string> action_names() const { return env_->env(0).action_names(); }

  py::bytes save_state() const {
    const auto b = env_->save_state();
    return py::bytes(reinterpret_cast<const char*>(b.data()), b.size());
  }
  void restore_state(const py::bytes& bytes) {
    const std::string s = bytes;
    env_->restore_state(std::vector<uint8_t>(s.begin(), s.end()));
  }

 private:
  torch::Tensor view(const void* data, std::vector<int64_t> shape, torch::ScalarType type) {
    auto keep = env_;
    return torch::from_blob(const_cast<void*>(data), shape, [keep](void*) {},
                            torch::TensorOptions().dtype(type));
  }

  void check_slot(int i) const {
    if (i < 0 || i >= batch_size()) {
      throw py::index_error("slot " + std::to_string(i) + " outside [0, " +
                            std::to_string(batch_size()) + ")");
    }
  }

  // Actions from a tensor, an array or a sequence of ints, one per slot.
  void read_actions(const py::object& actions) {
    torch::Tensor t;
    if (THPVariable_Check(actions.ptr())) {
      t = actions.cast<torch::Tensor>().detach().to(torch::kCPU);
      if (t.is_floating_point()) throw std::invalid_argument("actions must be integers, got a float tensor");
    } else {
      auto a = py::array_t<int64_t, py::array::c_style | py::array::forcecast>::ensure(actions);
      if (!a) {
        PyErr_Clear();
        throw std::invalid_argument("actions must be a tensor, an array or a list of ints");
      }
      t = torch::from_blob(const_cast<int64_t*>(a.data()), {static_cast<int64_t>(a.size())},
                           torch::kLong)
              .clone();
    }
    if (t.numel() != batch_size()) {
      throw std::invalid_argument("step: got " + std::to_string(t.numel()) + " actions for a batch of " +
                                  std::to_string(batch_size()));
    }
    const auto ints = t.reshape({-1}).to(torch::kInt32).contiguous();
    std::memcpy(actions_.data(), ints.data_ptr<int32_t>(), actions_.size() * sizeof(int32_t));
  }

  std::shared_ptr<BatchedEnv> env_;
  uint64_t seed_;
  uint64_t resets_ = 0;
  std::vector<int> actions_;
  torch::Tensor obs_, rewards_, terminals_, truncations_;
};

py::dict entry_dict(const EnvEntry& e, bool builtin) {
  py::dict d;
  d["name"] = e.name;
  d["description"] = e.description;
  py::list params;
  for (const auto& p : e.params) {
    py::dict pd;
    pd["name"] = p.name;
    pd["type"] = p.type;
    pd["default"] = p.default_value;
    pd["description"] = p.description;
    params.append(pd);
  }
  d["params"] = params;
  d["builtin"] = builtin;
  EnvParams none = EnvParams::parse(e.name);
  d["spec"] = spec_dict(e.make(none)->spec());
  return d;
}

}  // namespace

void bind_envs(py::module_& m) {
  py::class_<PyBatchedEnv>(m, "BatchedEnv",
                           "B environments stepped together. reset() and step() return views of "
                           "the environment's own buffers, overwritten by the next call: "
                           ".clone() what you keep. Same-step auto-reset: where an episode ended, "
                           "the observation is already the next episode's first.")
      .def(py::init<const std::string&, int, uint64_t>(), py::arg("name"), py::arg("batch") = 1,
           py::arg("seed") = 0)
      .def_property_readonly("spec", [](const PyBatchedEnv& e) { return spec_dict(e.spec()); })
      .def_property_readonly("batch_size", &PyBatchedEnv::batch_size)
      .def_property_readonly("num_actions", [](const PyBatchedEnv& e) { return e.spec().num_actions; })
      .def_property_readonly("observation_shape", [](const PyBatchedEnv& e) {
        return py::tuple(py::cast(e.spec().observation_shape));
      })
      .def_property_readonly("action_names", &PyBatchedEnv::action_names)
      .def("reset", &PyBatchedEnv::reset, py::arg("seed") = py::none(),
           "New episodes in every slot; returns observations [B, *observation_shape]. Without a "
           "seed: make()'s seed on the first reset, seed + k on the k-th.")
      .def("step", &PyBatchedEnv::step, py::arg("actions"),
           "Steps every slot; returns (observations, rewards, terminals, truncations).")
      .def("finished_returns", &PyBatchedEnv::finished_returns,
           "Per slot, the return of the episode that ended on the last step (NaN where none did).")
      .def("render", &PyBatchedEnv::render, py::arg("slot") = 0)
      .def("save_state", &PyBatchedEnv::save_state)
      .def("restore_state", &PyBatchedEnv::restore_state, py::arg("state"));

  m.def("env_entries", []() {
    py::list out;
    for (const auto& e : env_registry()) out.append(entry_dict(e, true));
    for (const auto& e : runtime_envs()) out.append(entry_dict(e, false));
    return out;
  });
  m.def(
      "register_python_env",
      [](const py::object& factory, const std::string& name, int max_episode_steps) {
        PythonEnvOptions o;
        o.max_episode_steps = max_episode_steps;
        return register_python_env(factory, name, o);
      },
      py::arg("factory"), py::arg("name") = "", py::arg("max_episode_steps") = 0);
}

}  // namespace disco::python
