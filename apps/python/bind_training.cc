// disco.train / disco.meta_train: runs of the C++ trainers with the GIL
// released, a Python callback per logged metrics row, and Ctrl-C turned into
// a clean stop: the run finishes the step in progress, writes its checkpoint
// and then KeyboardInterrupt is raised (resume with resume=DIR).
#include <torch/extension.h>

#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>
#include <optional>

#include "agent/train_presets.h"
#include "agent/trainer.h"
#include "bindings.h"
#include "core/allocator.h"
#include "core/thread_plan.h"
#include "dist/communicator.h"
#include "io/learning_curves.h"
#include "meta/meta_trainer.h"

namespace py = pybind11;

namespace disco::python {
namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void on_sigint(int) { g_interrupted = true; }

// While alive, SIGINT only sets g_interrupted (so it never lands inside a
// Python environment's step half-way); the previous handler comes back after.
class SigintToFlag {
 public:
  SigintToFlag() {
    g_interrupted = false;
    struct sigaction ours = {};
    ours.sa_handler = on_sigint;
    sigemptyset(&ours.sa_mask);
    installed_ = sigaction(SIGINT, &ours, &previous_) == 0;
  }
  ~SigintToFlag() {
    if (installed_) sigaction(SIGINT, &previous_, nullptr);
  }

 private:
  struct sigaction previous_ = {};
  bool installed_ = false;
};

nlohmann::json to_json(const py::object& o) {
  if (o.is_none()) return nlohmann::json::object();
  return nlohmann::json::parse(py::module_::import("json").attr("dumps")(o).cast<std::string>());
}

// Calls the user's callback with the GIL; the first Python error (or a
// Ctrl-C) asks the trainer to stop and is raised once run() has returned.
class Callbacks {
 public:
  explicit Callbacks(py::object on_log) : on_log_(std::move(on_log)) {}

  template <typename StopFn>
  void after_step(bool logged, const MetricsRow& row, StopFn stop) {
    if (error_ || interrupted_) return;
    if (g_interrupted) {
      interrupted_ = true;
      stop();
      return;
    }
    if (!logged || on_log_.is_none()) return;
    py::gil_scoped_acquire gil;
    try {
      on_log_(py::cast(row));
    } catch (py::error_already_set& e) {
      error_ = std::make_unique<py::error_already_set>(std::move(e));
      stop();
    }
  }

  // With the GIL, after the run: raise what stopped it, if anything.
  void raise_if_stopped(const std::string& what, const std::string& dir, int64_t step) {
    if (!error_ && !interrupted_) return;
    std::cerr << what << ": stopped at step " << step << " with a checkpoint in " << dir
              << " (resume=\"" << dir << "\" continues it)" << std::endl;
    if (error_) {
      error_->restore();
      error_.reset();
      throw py::error_already_set();
    }
    PyErr_SetNone(PyExc_KeyboardInterrupt);
    throw py::error_already_set();
  }

 private:
  py::object on_log_;
  std::unique_ptr<py::error_already_set> error_;
  bool interrupted_ = false;
};

py::dict train(const std::string& rule, const py::object& overrides, const std::string& preset,
               const std::string& out, const std::string& resume, std::optional<int64_t> steps,
               const std::string& weights_in, const py::object& on_log, int threads) {
  keep_freed_memory_for_reuse();
  use_threads(threads);  // as `disco train`: 0 = one learner shard per core
  const std::string weights = weights_in.empty() ? default_disco103_weights() : weights_in;
  if (steps && *steps <= 0) throw std::invalid_argument("steps must be positive, got " + std::to_string(*steps));
  std::unique_ptr<Trainer> trainer;
  if (!resume.empty()) {
    trainer = Trainer::resume(resume, steps, weights);
  } else {
    if (out.empty()) throw std::invalid_argument("out: a run folder is required");
    rule_kind(rule);  // an unknown rule name fails before anything else
    TrainSettings s = default_train_settings(rule);
    if (!preset.empty()) apply_settings_json(preset_settings(preset, rule), s);
    apply_settings_json(to_json(overrides), s);
    s.rule = rule;
    if (steps) s.steps = *steps;
    trainer = std::make_unique<Trainer>(s, out, weights);
  }
  Callbacks callbacks(on_log);
  {
    SigintToFlag sigint;
    py::gil_scoped_release release;
    trainer->run([&](const TrainProgress& p) {
      callbacks.after_step(p.logged, p.row, [&] { trainer->request_stop(); });
    });
  }
  const std::string dir = trainer->out_dir();
  callbacks.raise_if_stopped("disco.train", dir, trainer->learner_step());
  try {
    plot_learning_curves({dir}, dir + "/learning_curve.png");
  } catch (const std::exception& e) {  // the run itself succeeded
    std::cerr << "disco.train: warning: no learning curve drawn: " << e.what() << std::endl;
  }
  py::dict result;
  result["out"] = dir;
  result["learner_step"] = trainer->learner_step();
  result["settings"] = py::module_::import("json").attr("loads")(settings_to_json(trainer->settings()).dump());
  return result;
}

py::dict meta_train(const py::object& overrides, const std::string& out, const std::string& resume,
                    std::optional<int64_t> meta_steps, const std::string& weights_in,
                    const py::object& on_log, int threads) {
  keep_freed_memory_for_reuse();
  use_threads(threads);  // as `disco meta-train`: agents side by side, 0 = one per core
  const std::string weights = weights_in.empty() ? default_disco103_weights() : weights_in;
  if (meta_steps && *meta_steps <= 0) {
    throw std::invalid_argument("meta_steps must be positive, got " + std::to_string(*meta_steps));
  }
  static auto comm = dist::make_single_process_communicator();
  std::unique_ptr<MetaTrainer> trainer;
  if (!resume.empty()) {
    trainer = MetaTrainer::resume(resume, meta_steps, weights, *comm);
  } else {
    if (out.empty()) throw std::invalid_argument("out: a run folder is required");
    MetaTrainSettings s = default_meta_train_settings();
    apply_meta_settings_json(to_json(overrides), s);
    if (meta_steps) s.meta_steps = static_cast<int>(*meta_steps);
    validate_meta_settings(s);
    trainer = std::make_unique<MetaTrainer>(s, out, weights, *comm);
  }
  Callbacks callbacks(on_log);
  {
    SigintToFlag sigint;
    py::gil_scoped_release release;
    trainer->run([&](const MetaProgress& p) {
      callbacks.after_step(p.logged, p.row, [&] { trainer->request_stop(); });
    });
  }
  const std::string dir = trainer->out_dir();
  callbacks.raise_if_stopped("disco.meta_train", dir, trainer->meta_step());
  py::dict result;
  result["out"] = dir;
  result["meta_step"] = trainer->meta_step();
  result["rule"] = dir + "/rule.npz";
  return result;
}

}  // namespace

void bind_training(py::module_& m) {
  m.def("train", &train, py::arg("rule"), py::arg("overrides"), py::arg("preset"), py::arg("out"),
        py::arg("resume"), py::arg("steps"), py::arg("weights"), py::arg("on_log"),
        py::arg("threads"));
  m.def("meta_train", &meta_train, py::arg("overrides"), py::arg("out"), py::arg("resume"),
        py::arg("meta_steps"), py::arg("weights"), py::arg("on_log"), py::arg("threads"));
  m.def("train_preset_names", &train_preset_names);
}

}  // namespace disco::python
