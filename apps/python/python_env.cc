#include "python_env.h"

#include <pybind11/numpy.h>

#include <cctype>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace py = pybind11;

namespace disco::python {
namespace {

// The observation's values as float32, checked against the spec's size.
void copy_observation(const py::handle& obs, std::vector<float>& out, const std::string& who) {
  py::array_t<float, py::array::c_style | py::array::forcecast> a;
  try {
    a = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(obs);
  } catch (const py::error_already_set&) {
  }
  if (!a) {
    PyErr_Clear();
    throw std::invalid_argument(who + " returned an observation that is not an array of numbers");
  }
  if (static_cast<size_t>(a.size()) != out.size()) {
    throw std::invalid_argument(who + " returned an observation of " + std::to_string(a.size()) +
                                " values, expected " + std::to_string(out.size()) +
                                " (the observation_space's shape)");
  }
  std::memcpy(out.data(), a.data(), out.size() * sizeof(float));
}

class PythonEnvironment : public Environment {
 public:
  PythonEnvironment(py::object env, EnvSpec spec) : env_(std::move(env)), spec_(std::move(spec)) {
    obs_.assign(spec_.observation_size(), 0.f);
  }
  ~PythonEnvironment() override {
    py::gil_scoped_acquire gil;
    env_ = py::object();
  }

  const EnvSpec& spec() const override { return spec_; }

  void reset(Rng& rng) override {
    py::gil_scoped_acquire gil;
    // Gymnasium seeds take Python ints; keep them in NumPy's 32-bit range.
    const auto seed = static_cast<uint32_t>(rng.next_u64() >> 32);
    py::object result = env_.attr("reset")(py::arg("seed") = seed);
    if (py::isinstance<py::tuple>(result) && py::len(result) == 2) result = result[py::int_(0)];
    copy_observation(result, obs_, spec_.name + ".reset()");
  }

  StepOutcome step(int action, Rng&) override {
    py::gil_scoped_acquire gil;
    const py::object result = env_.attr("step")(action);
    const std::string who = spec_.name + ".step()";
    if (!py::isinstance<py::tuple>(result) || (py::len(result) != 5 && py::len(result) != 4)) {
      throw std::invalid_argument(who + " must return (obs, reward, terminated, truncated, info)");
    }
    const py::tuple t = result;
    copy_observation(t[0], obs_, who);
    StepOutcome out;
    out.reward = t[1].cast<float>();
    out.terminal = py::bool_(t[2]);
    out.truncated = py::len(t) == 5 && py::bool_(t[3]);
    if (out.terminal) out.truncated = false;
    if (out.truncated && spec_.max_episode_steps == 0) {
      throw std::invalid_argument(who + " returned truncated=True but the environment declares no "
                                  "time limit; pass max_episode_steps=N");
    }
    return out;
  }

  void observe(float* out) const override { std::memcpy(out, obs_.data(), obs_.size() * sizeof(float)); }

  void save(StateWriter& out) const override {
    py::gil_scoped_acquire gil;
    std::string bytes;
    try {
      bytes = py::module_::import("pickle").attr("dumps")(env_).cast<std::string>();
    } catch (py::error_already_set& e) {
      throw std::invalid_argument(spec_.name + " cannot be checkpointed: pickle failed (" +
                                  std::string(e.what()) + ")");
    }
    out.put_vector(std::vector<uint8_t>(bytes.begin(), bytes.end()));
    out.put_vector(obs_);
  }

  void load(StateReader& in) override {
    const auto bytes = in.get_vector<uint8_t>();
    auto obs = in.get_vector<float>();
    if (obs.size() != obs_.size()) throw std::invalid_argument(spec_.name + ": saved observation size differs");
    py::gil_scoped_acquire gil;
    env_ = py::module_::import("pickle").attr("loads")(
        py::bytes(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    obs_ = std::move(obs);
  }

  std::string render() const override {
    py::gil_scoped_acquire gil;
    if (!py::hasattr(env_, "render")) return Environment::render();
    const py::object r = env_.attr("render")();
    return r.is_none() ? Environment::render() : py::str(r).cast<std::string>();
  }

 private:
  py::object env_;
  EnvSpec spec_;
  std::vector<float> obs_;
};

// The spec read off a fresh instance (its spaces and time limit).
EnvSpec read_spec(const py::object& env, const std::string& name, const PythonEnvOptions& o) {
  EnvSpec spec;
  spec.name = name;
  try {
    for (const auto& d : env.attr("observation_space").attr("shape")) spec.observation_shape.push_back(d.cast<int>());
    spec.num_actions = env.attr("action_space").attr("n").cast<int>();
  } catch (const py::error_already_set&) {
    throw std::invalid_argument(name + ": the environment needs observation_space.shape and a "
                                "discrete action_space.n");
  }
  if (spec.observation_shape.empty()) spec.observation_shape = {1};
  if (spec.num_actions < 1) throw std::invalid_argument(name + ": action_space.n must be positive");
  spec.max_episode_steps = o.max_episode_steps;
  if (spec.max_episode_steps == 0 && py::hasattr(env, "spec") && !env.attr("spec").is_none() &&
      py::hasattr(env.attr("spec"), "max_episode_steps") &&
      !env.attr("spec").attr("max_episode_steps").is_none()) {
    spec.max_episode_steps = env.attr("spec").attr("max_episode_steps").cast<int>();
  }
  spec.min_reward = -std::numeric_limits<float>::infinity();
  spec.max_reward = std::numeric_limits<float>::infinity();
  spec.min_observation = -std::numeric_limits<float>::infinity();
  spec.max_observation = std::numeric_limits<float>::infinity();
  return spec;
}

}  // namespace

std::string register_python_env(const py::object& factory, const std::string& name,
                                const PythonEnvOptions& options) {
  std::string base = name;
  if (base.empty()) {
    base = py::hasattr(factory, "__name__") ? factory.attr("__name__").cast<std::string>()
                                            : std::string("env");
  }
  for (char& c : base) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  const std::string full = "python_" + base;
  if (options.max_episode_steps < 0) throw std::invalid_argument("max_episode_steps must be >= 0");
  // Owned by the registry for the rest of the process, so its Python object
  // is never released (no GIL needed at exit).
  auto* held = new py::object(factory);
  EnvEntry entry;
  entry.name = full;
  entry.description = "Python environment " + base + " (stepped in Python)";
  entry.make = [held, full, options](EnvParams&) -> std::unique_ptr<Environment> {
    py::gil_scoped_acquire gil;
    py::object env = (*held)();
    EnvSpec spec = read_spec(env, full, options);
    return std::make_unique<PythonEnvironment>(std::move(env), std::move(spec));
  };
  add_runtime_env(std::move(entry));
  return full;
}

}  // namespace disco::python
