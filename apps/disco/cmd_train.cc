// `disco train`: train an agent with an update rule on an environment.
// Settings come from the rule's defaults (agent/train_settings.h), then a
// preset (--preset, agent/train_presets.h), then a settings file (--config,
// JSON or YAML), then the command line.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <torch/torch.h>

#include "agent/train_presets.h"
#include "agent/trainer.h"
#include "core/thread_plan.h"
#include "commands.h"
#include "envs/registry.h"
#include "io/config.h"
#include "io/learning_curves.h"
#include "rules/rule_factory.h"

namespace disco::cli {
namespace {

struct TrainArgs {
  std::string rule, env, config, out, resume, device, preset;
  std::string weights = std::string(DISCO_SHARED_DIR) + "/weights/disco_103.npz";
  int64_t steps = 0, seed = 0, stop_after = 0;
  int threads = 0, log_every = 0, checkpoint_every = 0;
  double lr = 0;
};

std::string clock_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  const auto s = static_cast<long long>(seconds + 0.5);
  std::ostringstream o;
  if (s >= 3600) o << s / 3600 << ":";
  o << std::setw(2) << std::setfill('0') << (s / 60) % 60 << ":" << std::setw(2)
    << std::setfill('0') << s % 60;
  return o.str();
}

std::string return_text(double r) {
  if (!std::isfinite(r)) return "n/a";
  std::ostringstream o;
  o << std::fixed << std::setprecision(3) << r;
  return o.str();
}

// A progress bar on a terminal (stderr), plain lines per metrics row otherwise.
class ProgressReport {
 public:
  ProgressReport() : tty_(isatty(fileno(stderr))) {}
  void operator()(const TrainProgress& p) {
    if (first_step_ < 0) {  // rates from this process's first step on
      first_step_ = p.learner_step;
      first_elapsed_ = p.elapsed_s;
    }
    const double span = p.elapsed_s - first_elapsed_;
    const double rate = span > 0 ? (p.learner_step - first_step_) / span : 0;
    const double remaining = rate > 0 ? (p.total_steps - p.learner_step) / rate : NAN;
    if (tty_) {
      const double now = p.elapsed_s;
      if (now - last_draw_ < 0.1 && p.learner_step < p.total_steps) return;
      last_draw_ = now;
      const int width = 30;
      const int filled = static_cast<int>(width * p.learner_step / std::max<int64_t>(1, p.total_steps));
      std::cerr << "\r[" << std::string(filled, '#') << std::string(width - filled, '.') << "] "
                << p.learner_step << "/" << p.total_steps << "  " << std::fixed
                << std::setprecision(1) << rate << " steps/s  elapsed " << clock_text(now)
                << "  remaining " << clock_text(remaining) << "  avg return "
                << return_text(p.avg_return) << "   " << std::flush;
      if (p.learner_step >= p.total_steps) std::cerr << "\n";
    } else if (p.logged) {
      std::cout << "step " << p.learner_step << "/" << p.total_steps << "  env_steps "
                << p.env_steps << "  episodes " << p.episodes << "  avg_return "
                << return_text(p.avg_return) << "  " << std::fixed << std::setprecision(1)
                << p.env_steps_per_s << " env steps/s  " << std::setprecision(2)
                << p.learner_steps_per_s << " learner steps/s  elapsed "
                << clock_text(p.elapsed_s) << std::endl;
    }
  }

 private:
  bool tty_;
  double last_draw_ = -1;
  int64_t first_step_ = -1;
  double first_elapsed_ = 0;
};

std::string default_out(const std::string& rule, int64_t seed) {
  std::string base = rule;
  const auto slash = base.find_last_of('/');
  if (slash != std::string::npos) base = base.substr(slash + 1);
  if (base.size() > 4 && base.substr(base.size() - 4) == ".npz") base.resize(base.size() - 4);
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
  return "runs/" + base + "-seed" + std::to_string(seed) + "-" + stamp;
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "train",
      "Train an agent with an update rule.\n"
      "--steps counts LEARNER steps (gradient updates); replay warm-up does not count.\n"
      "Defaults per rule: disco103 / *.npz follow the reference's evaluation notebook (2 envs,\n"
      "rollouts of 29 time steps, replay of 1024 trajectories, batch 64, lr 1e-2, MLP 512,512,\n"
      "target coefficient 0.9); actor_critic / policy_gradient the reference's actor-critic\n"
      "agent (lr 5e-4, MLP 64,32,32); ppo CleanRL's ppo.py (4 envs x 128 steps, 4 epochs x 4\n"
      "minibatches, Adam lr 2.5e-4 eps 1e-5, grad-norm clip 0.5, clip 0.2, GAE 0.95, gamma 0.99,\n"
      "entropy 0.01, value coef 0.5; no lr annealing). Writes DIR/metrics.csv, metrics.jsonl,\n"
      "settings.json and checkpoint.npz.");
  static TrainArgs a;
  cmd->add_option("--rule", a.rule,
                  "disco103 | PATH.npz (a Disco rule) | actor_critic | policy_gradient | ppo "
                  "(default disco103)");
  cmd->add_option("--env", a.env, "environment with parameters (default catch(rows=8,columns=8))");
  cmd->add_option("--steps", a.steps, "learner steps to train for in total (default 1000)");
  cmd->add_option("--seed", a.seed, "random seed (default 0)");
  cmd->add_option("--config", a.config, "settings file (JSON or YAML; keys as settings.json)");
  cmd->add_option("--preset", a.preset,
                  "named settings per rule that won a tuning comparison (" + train_preset_names() +
                      "; src/agent/train_presets.h), under --config");
  cmd->add_option("--out", a.out, "run folder (default runs/RULE-seedS-TIME); must not hold a run");
  cmd->add_option("--resume", a.resume, "continue the run in this folder (only --steps may change)");
  cmd->add_option("--device", a.device, "torch device, e.g. cpu or cuda:0 (default cpu)");
  cmd->add_option("--lr", a.lr, "learning rate (overrides the rule's default)");
  cmd->add_option("--log-every", a.log_every, "learner steps per metrics row (default 10)");
  cmd->add_option("--checkpoint-every", a.checkpoint_every,
                  "learner steps per checkpoint (default 500; always one at the end)");
  cmd->add_option("--weights", a.weights, "the Disco103 meta-parameters (.npz) that --rule disco103 loads")
      ->capture_default_str();
  cmd->add_option("--threads", a.threads,
                  "CPU threads that run the learner's blocks side by side, one LibTorch and one "
                  "OpenBLAS thread each (default: one per core); the run is the same for any count");
  cmd->add_option("--stop-after", a.stop_after,
                  "testing: stop after N learner steps without a final checkpoint, as if killed");
  cmd->callback([cmd]() {
    if (a.threads < 0) {
      throw UsageError("--threads must not be negative (0: one per core), got " +
                       std::to_string(a.threads));
    }
    use_threads(a.threads);
    const std::string& weights = a.weights;
    if (cmd->count("--steps") && a.steps <= 0) {
      throw UsageError("--steps must be positive, got " + std::to_string(a.steps));
    }
    std::unique_ptr<Trainer> trainer;
    if (!a.resume.empty()) {
      for (const char* opt : {"--rule", "--env", "--seed", "--config", "--preset", "--out", "--device",
                              "--lr", "--log-every", "--checkpoint-every"}) {
        if (cmd->count(opt)) throw UsageError(std::string(opt) + " cannot change a resumed run");
      }
      trainer = Trainer::resume(a.resume, cmd->count("--steps") ? std::optional<int64_t>(a.steps)
                                                                 : std::nullopt,
                                weights);
      std::cout << "resuming " << a.resume << " at learner step " << trainer->learner_step()
                << std::endl;
    } else {
      nlohmann::json file = nlohmann::json::object();
      if (!a.config.empty()) file = load_config_file(a.config);
      std::string rule = "disco103";
      if (file.contains("rule") && file["rule"].is_string()) rule = file["rule"];
      if (cmd->count("--rule")) rule = a.rule;
      try {  // so is an unknown rule name
        rule_kind(rule);
      } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
      }
      TrainSettings s = default_train_settings(rule);
      if (!a.preset.empty()) {
        try {
          apply_settings_json(preset_settings(a.preset, rule), s);
        } catch (const std::invalid_argument& e) {
          throw UsageError(e.what());
        }
      }
      apply_settings_json(file, s);
      s.rule = rule;
      if (cmd->count("--env")) s.env = a.env;
      if (cmd->count("--steps")) s.steps = a.steps;
      if (cmd->count("--seed")) s.seed = static_cast<uint64_t>(a.seed);
      if (cmd->count("--device")) s.device = a.device;
      if (cmd->count("--lr")) s.optimizer.learning_rate = a.lr;
      if (cmd->count("--log-every")) s.log_every = a.log_every;
      if (cmd->count("--checkpoint-every")) s.checkpoint_every = a.checkpoint_every;
      try {  // an unknown environment name is a usage error (exit 2)
        make_env(s.env);
      } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
      }
      const std::string out = a.out.empty() ? default_out(s.rule, static_cast<int64_t>(s.seed)) : a.out;
      trainer = std::make_unique<Trainer>(s, out, weights);
      std::cout << "training " << s.rule << " on " << s.env << " for " << s.steps
                << " learner steps -> " << out << std::endl;
    }
    ProgressReport report;
    trainer->run(std::ref(report), a.stop_after);
    if (trainer->learner_step() < trainer->settings().steps) return;  // --stop-after
    const std::string dir = trainer->out_dir();
    std::cout << "metrics: " << dir << "/metrics.csv and " << dir << "/metrics.jsonl\n";
    try {
      plot_learning_curves({dir}, dir + "/learning_curve.png");
      std::cout << "learning curve: " << dir << "/learning_curve.png\n";
    } catch (const std::exception& e) {  // the run itself succeeded
      std::cerr << "disco: warning: no learning curve drawn: " << e.what() << "\n";
    }
  });
}

}  // namespace disco::cli
