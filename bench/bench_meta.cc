// bench_meta: the cost of a meta-gradient. For N = 1, 2, 5, 10, 20 inner
// steps, at the meta-training notebook's sizes (Catch 5x5, batch 32 x 16
// time steps, MLP 512,512, LSTM 256, heads 256, value MLP 256,256) and at
// the evaluation sizes (Catch 8x8, batch 64 x 29 time steps, LSTM 128,
// heads 128), with and without gradient checkpointing, it prints
//   ratio = time of one meta-step over N inner steps / time of N plain
//           learner updates (same agent, same rollouts, no graph)
//   peak+ = the meta-step's peak resident memory above the process's memory
//           before it (MiB); peak = the process's whole peak (MiB)
// Each configuration runs in a fresh child process (this program re-run
// with --child), so that peaks do not mix. Goals: ratio <= 3; with
// checkpointing, peak(N=20) <= 2 x peak(N=1).
//
// The meta-step is timed in steady state (a first, untimed one grows the
// heap; its peak is the one reported); checkpointing keeps --slots states
// besides the first (meta/checkpoint_schedule.h).
//
// Usage: bench_meta [--sizes notebook|eval|both] [--max-n N] [--threads K] [--slots K]
//        bench_meta --breakdown notebook|eval N   (where an unrolled meta-step's time goes)
//        bench_meta --population [MAX]
//   The last: whole meta-steps of `disco meta-train` at the notebook's
//   sizes for populations P = 1, 2, 4, 8 (up to MAX), the agents one after
//   another on one thread against side by side on one thread per core:
//   meta-steps per second (steady state: after 2 untimed meta-steps) and the
//   process's peak memory, each in a fresh child process.
#include <sys/resource.h>
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "agent/actor.h"
#include "core/allocator.h"
#include "core/blas_threads.h"
#include "envs/registry.h"
#include "core/thread_plan.h"
#include "dist/communicator.h"
#include "meta/meta_gradient.h"
#include "meta/meta_settings.h"
#include "meta/meta_trainer.h"
#include "rules/disco_rule.h"

namespace {

using namespace disco;
using Clock = std::chrono::steady_clock;

double resident_mib() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * sysconf(_SC_PAGESIZE) / (1024.0 * 1024.0);
}

double peak_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // KiB on Linux
}

struct Sizes {
  std::string env;
  int batch, rollout;
  AgentNetSettings net;
};

Sizes sizes(const std::string& name) {
  MetaTrainSettings s = default_meta_train_settings();
  if (name == "notebook") return {"catch(rows=5,columns=5)", s.batch, s.rollout, s.net};
  AgentNetSettings net = s.net;  // evaluation notebook: LSTM 128, heads 128
  net.lstm_size = 128;
  net.model_head_hiddens = {128};
  return {"catch(rows=8,columns=8)", 64, 29, net};
}

// One measurement, in this process: prints "ratio meta_s plain_s peak_mib".
// Where an unrolled meta-step's time goes: prints plain-update, inner
// meta-update (graph-keeping forward), validation and reverse-pass seconds.
int breakdown(const std::string& size_name, int n);

// One agent at the given sizes, its N training rollouts and validation
// rollout, a random rule: what every measurement starts from.
struct Case {
  Case(const std::string& size_name, int n)
      : z(sizes(size_name)),
        spec(make_batched_env(z.env, 1).spec()),
        net(z.net, spec.observation_shape, spec.num_actions,
            rule.flat_output_spec(spec.num_actions), rule.model_output_spec(spec.num_actions)),
        value_fn(defaults.value, spec.observation_shape),
        gradient(net, rule, defaults.agent_optimizer, value_fn, defaults.loss),
        eta(rule.init_meta_params(1)),
        adam(defaults.agent_optimizer),
        state{init_learner_state(net, rule, adam, 2, torch::kCPU), value_fn.init(3, torch::kCPU)} {
    Actor actor(make_batched_env(z.env, z.batch), 4, z.rollout, {"logits"}, torch::kCPU);
    EpisodeStats stats;
    for (int k = 0; k < n; ++k) train.push_back(actor.collect(net, state.learner.params, stats));
    valid = actor.collect(net, state.learner.params, stats, 2 * z.rollout);
  }
  const MetaTrainSettings defaults = default_meta_train_settings();
  const DiscoRule rule;
  const Sizes z;
  const EnvSpec spec;
  const AgentNet net;
  const MetaValueFunction value_fn;
  const MetaGradient gradient;
  const ParamMap eta;
  const InnerAdam adam;
  const AgentState state;
  std::vector<Rollout> train;
  Rollout valid;
};

int child(const std::string& size_name, int n, bool checkpointing, int64_t slots) {
  const Case c(size_name, n);
  const auto& [defaults, rule, z, spec, net, value_fn, gradient, eta, adam, state, train, valid] =
      c;
  // One untimed plain update first: thread pools and allocator caches warm.
  learner_step(net, rule, eta, adam, state.learner, train[0], /*meta_training=*/false);
  const double base = resident_mib();
  gradient.compute(eta, state, train, valid, checkpointing, /*record=*/false, slots);
  const double peak = peak_mib() - base;  // the meta-step's own peak above the state before it
  const double total_peak = peak_mib();
  // Timed: a second meta-step, as in meta-training's steady state (the first
  // one also pays for growing the heap: page faults on memory touched anew).
  auto t0 = Clock::now();
  const auto result =
      gradient.compute(eta, state, train, valid, checkpointing, /*record=*/false, slots);
  const double meta_s = std::chrono::duration<double>(Clock::now() - t0).count();
  // N plain learner updates (what `disco train` does), timed.
  t0 = Clock::now();
  LearnerState plain = state.learner;
  for (const auto& batch : train) {
    plain = learner_step(net, rule, eta, adam, plain, batch, /*meta_training=*/false).next;
  }
  const double plain_s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!std::isfinite(result.meta_loss.at("total").item<double>())) return 1;
  std::printf("%.3f %.3f %.3f %.1f %.1f\n", meta_s / plain_s, meta_s, plain_s, peak, total_peak);
  return 0;
}

int breakdown(const std::string& size_name, int n) {
  const Case c(size_name, n);
  const auto& [defaults, rule, z, spec, net, value_fn, gradient, eta0, adam, state, train, valid] =
      c;
  const LearnerState& start = state.learner;
  const MetaValueState& value = state.value;
  const auto seconds = [](Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
  };
  for (int repeat = 0; repeat < 2; ++repeat) {  // the first round warms up
    auto t0 = Clock::now();
    LearnerState plain = start;
    for (const auto& b : train) plain = learner_step(net, rule, eta0, adam, plain, b, false).next;
    const double plain_s = seconds(t0);
    ParamMap eta;
    std::vector<torch::Tensor> leaves;
    for (const auto& [k, t] : eta0) leaves.push_back(eta[k] = t.detach().requires_grad_(true));
    t0 = Clock::now();
    LearnerState s = start;
    std::vector<InnerRegularisers> regs;
    for (const auto& b : train) {
      auto step = learner_step(net, rule, eta, adam, s, b, true);
      regs.push_back(inner_regularisers(step.meta_outs));
      s = step.next;
    }
    const double inner_s = seconds(t0);
    t0 = Clock::now();
    const auto v = validation_loss(net, s.params, value_fn, value, valid, defaults.loss);
    const auto loss = meta_loss_terms(v, regs, defaults.loss).at("total");
    const double valid_s = seconds(t0);
    t0 = Clock::now();
    torch::autograd::grad({loss}, leaves, {}, false, false, true);
    const double backward_s = seconds(t0);
    if (repeat == 1) {
      std::printf(
          "%s N=%d: plain updates %.3f s | meta: inner updates %.3f s, validation %.3f s, "
          "reverse pass %.3f s (total %.2fx plain)\n",
          size_name.c_str(), n, plain_s, inner_s, valid_s, backward_s,
          (inner_s + valid_s + backward_s) / plain_s);
    }
  }
  return 0;
}

// One population configuration: prints "meta_steps_per_s peak_mib".
int population_child(int population, int threads) {
  use_threads(threads);
  MetaTrainSettings s = default_meta_train_settings();  // the notebook's sizes
  s.population = population;
  const int warm = 2, timed = 4;
  s.meta_steps = warm + timed;
  s.checkpoint_every = s.rule_every = 1000;
  char dir[] = "/tmp/bench_meta_population_XXXXXX";
  if (!mkdtemp(dir)) return 1;
  const std::string out = std::string(dir) + "/run";
  auto comm = dist::make_single_process_communicator();
  double warm_s = 0, end_s = 0;
  {
    MetaTrainer trainer(s, out, "", *comm);
    trainer.run([&](const MetaProgress& p) {
      if (p.meta_step == warm) warm_s = p.elapsed_s;
      end_s = p.elapsed_s;
    });
  }
  std::filesystem::remove_all(dir);
  std::printf("%.4f %.1f\n", timed / (end_s - warm_s), peak_mib());
  return 0;
}

int population_table(const std::string& self, int max_population) {
  const int cores = core_count();
  std::printf("%4s %-13s %8s %14s %10s\n", "P", "agents", "threads", "meta-steps/s", "peak MiB");
  for (const int p : {1, 2, 4, 8}) {
    if (p > max_population) continue;
    double rate[2] = {0, 0};
    for (const int side_by_side : {0, 1}) {
      const int threads = side_by_side ? cores : 1;
      const std::string cmd = self + " --population-child " + std::to_string(p) + " " +
                              std::to_string(threads);
      FILE* pipe = popen(cmd.c_str(), "r");
      double steps = 0, peak = 0;
      const int got = pipe ? std::fscanf(pipe, "%lf %lf", &steps, &peak) : 0;
      if (pipe) pclose(pipe);
      const char* mode = side_by_side ? "side by side" : "one by one";
      if (got != 2) {
        std::printf("%4d %-13s  failed\n", p, mode);
        continue;
      }
      rate[side_by_side] = steps;
      std::printf("%4d %-13s %8d %14.3f %10.1f\n", p, mode, threads, steps, peak);
      std::fflush(stdout);
    }
    if (rate[0] > 0) std::printf("%4d speed-up side by side: %.2fx\n", p, rate[1] / rate[0]);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  keep_freed_memory_for_reuse();  // as `disco` does
  std::string which = "both";
  int max_n = 20, threads = 0, slots = static_cast<int>(kDefaultCheckpointSlots);
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--child" && i + 5 < argc) {  // sizes N checkpointing threads slots
      threads = std::atoi(argv[i + 4]);
      if (threads > 0) {
        torch::set_num_threads(threads);
        set_blas_threads(threads);
      }
      return child(argv[i + 1], std::atoi(argv[i + 2]), std::strcmp(argv[i + 3], "1") == 0,
                   std::atoi(argv[i + 5]));
    }
    if (a == "--breakdown" && i + 2 < argc) return breakdown(argv[i + 1], std::atoi(argv[i + 2]));
    if (a == "--population-child" && i + 2 < argc) {
      return population_child(std::atoi(argv[i + 1]), std::atoi(argv[i + 2]));
    }
    if (a == "--population") {
      char exe[4096] = {};
      if (readlink("/proc/self/exe", exe, sizeof exe - 1) <= 0) return 1;
      return population_table(exe, i + 1 < argc ? std::atoi(argv[i + 1]) : 8);
    }
    if (a == "--sizes" && i + 1 < argc)
      which = argv[++i];
    else if (a == "--max-n" && i + 1 < argc)
      max_n = std::atoi(argv[++i]);
    else if (a == "--threads" && i + 1 < argc)
      threads = std::atoi(argv[++i]);
    else if (a == "--slots" && i + 1 < argc)
      slots = std::atoi(argv[++i]);
    else {
      std::cerr << "usage: bench_meta [--sizes notebook|eval|both] [--max-n N] [--threads K] "
                   "[--slots K]\n";
      return 2;
    }
  }
  std::vector<std::string> size_names;
  if (which == "notebook" || which == "both") size_names.push_back("notebook");
  if (which == "eval" || which == "both") size_names.push_back("eval");
  char self[4096] = {};
  if (readlink("/proc/self/exe", self, sizeof self - 1) <= 0) {
    std::cerr << "bench_meta: cannot find its own executable\n";
    return 1;
  }
  std::printf("%-9s %4s %-13s %8s %10s %10s %12s %12s\n", "sizes", "N", "backward", "ratio",
              "meta s", "plain s", "peak+ MiB", "peak MiB");
  for (const auto& size : size_names) {
    double worst_ratio[2] = {0, 0}, ckpt_peak_1 = 0, ckpt_peak_max = 0;
    int ckpt_n_max = 0;
    for (int n : {1, 2, 5, 10, 20}) {
      if (n > max_n) continue;
      for (int ckpt : {0, 1}) {
        const std::string cmd = std::string(self) + " --child " + size + " " + std::to_string(n) +
                                " " + std::to_string(ckpt) + " " + std::to_string(threads) + " " +
                                std::to_string(slots);
        FILE* pipe = popen(cmd.c_str(), "r");
        double ratio = 0, meta_s = 0, plain_s = 0, peak = 0, total = 0;
        const int got = pipe ? std::fscanf(pipe, "%lf %lf %lf %lf %lf", &ratio, &meta_s, &plain_s,
                                           &peak, &total)
                             : 0;
        if (pipe) pclose(pipe);
        const char* mode = ckpt ? "checkpointed" : "unrolled";
        if (got != 5) {
          std::printf("%-9s %4d %-13s  failed\n", size.c_str(), n, mode);
          continue;
        }
        std::printf("%-9s %4d %-13s %8.2f %10.3f %10.3f %12.1f %12.1f\n", size.c_str(), n, mode,
                    ratio, meta_s, plain_s, peak, total);
        std::fflush(stdout);
        worst_ratio[ckpt] = std::max(worst_ratio[ckpt], ratio);
        if (ckpt && n == 1) ckpt_peak_1 = peak;
        if (ckpt && n > ckpt_n_max) {
          ckpt_n_max = n;
          ckpt_peak_max = peak;
        }
      }
    }
    std::printf(
        "%s: largest time ratio %.2f unrolled, %.2f checkpointed (goal <= 3); checkpointed peak+ "
        "N=%d / N=1 = %.2f (goal <= 2)\n\n",
        size.c_str(), worst_ratio[0], worst_ratio[1], ckpt_n_max,
        ckpt_peak_1 > 0 ? ckpt_peak_max / ckpt_peak_1 : 0.0);
  }
  return 0;
}
