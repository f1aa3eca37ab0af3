// One Disco103 learner step at the reference's evaluation setting, timed with
// Google Benchmark, against this machine's float32 matmul speed.
//
// Setting: Catch 8x8 observations (64 floats), B = 64 trajectories of T = 29
// transitions (agent outputs [T+1, B, ...] = [30, 64, ...]), A = 3, agent
// torso MLP 512,512, model LSTM 128, model-head MLP hidden 128, the Disco103
// rule with its published weights. Random observations, actions, rewards and
// discounts (about 10% terminal steps), fixed seed.
//
// A learner step is Learner::step (src/agent/learner.h): the online unroll
// with gradients, the target-network unroll and value targets and meta-network
// (rule.unroll_meta_net, no gradient), the agent loss (agent_loss +
// agent_loss_no_meta, masked total), the backward pass to the agent
// parameters and the inner-Adam update; with blocks side by side
// (agent/sharded_unroll.h, agent/sharded_loss.h) the unrolls, the value
// targets' categorical values, the meta-network, the loss with its gradient
// and the backward pass through the network run in that many blocks on as
// many threads.
//
// FLOPs are counted from the shapes, matmuls only (2·m·k·n for [m,k]x[k,n]):
// the agent network's forward twice (online + target), the model heads once
// more at the taken actions, its backward (weight and input gradients, 2x the
// forward less the observations' own gradient, the model heads at the taken
// actions only),
// the meta-network's forward (no backward: meta-parameters get no gradient in
// training) and the categorical-value expectations. Element-wise work
// (softmaxes over 600-wide predictions, LSTM gates, losses, Adam) is not
// counted, so the rate is a lower bound on the work done.
//
// Printed per thread setting: Google Benchmark's lines, a summary (ms/step
// as the best repetition, FLOP/step, GFLOP/s, the best of several 1024x1024
// torch::mm GFLOP/s and the ratio) and a breakdown of the step timed with
// steady_clock over repeated steps.
//
// Threads (core/thread_plan.h): "threads:N", N >= 1, is `disco train
// --threads N`: the learner in N blocks side by side, each with one LibTorch
// and one OpenBLAS thread; "threads:0" is `disco train`'s default, one block
// per core. "threads:-1" is the sequential learner with the libraries' own
// thread defaults (on this 2-core machine LibTorch 1, OpenBLAS 2: what
// `disco train` ran before the blocks), for a before/after in one run.
//
// The peak is the machine's: the faster of a 1024x1024 torch::mm with
// OpenBLAS on every core and one such product per core side by side, so a
// plan that keeps cores idle is not flattered by a lower reference.
//
//   bench_learner [--benchmark_repetitions=N ...]
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/learner.h"
#include "core/allocator.h"
#include "agent/sharded_loss.h"
#include "agent/sharded_unroll.h"
#include "core/blas_threads.h"
#include "core/parallel_shards.h"
#include "core/thread_plan.h"
#include "nets/agent_net.h"
#include "optim/inner_adam.h"
#include "rules/disco_rule.h"

namespace {

using namespace disco;

constexpr int64_t kT = 29;  // transitions; agent outputs have T+1 steps
constexpr int64_t kB = 64;
constexpr int kA = 3;
const std::vector<int> kObservationShape = {8, 8};  // Catch 8x8
constexpr double kTerminalProbability = 0.1;

// ----- threads -------------------------------------------------------------

struct ThreadDefaults {
  int torch = torch::get_num_threads();
  int openblas = blas_threads();
};
const ThreadDefaults& thread_defaults() {
  static const ThreadDefaults defaults;
  return defaults;
}

// -1: the libraries' defaults, one block; n >= 0: use_threads(n). Returns
// the learner's block count.
int set_threads(int n) {
  if (n >= 0) {
    use_threads(n);
    return learner_shards();
  }
  const auto& d = thread_defaults();
  torch::set_num_threads(d.torch);
  if (d.openblas > 0) set_blas_threads(d.openblas);
  return 1;
}

std::string threads_label(int n, int shards) {
  return std::to_string(shards) + " block(s) side by side, torch threads " +
         std::to_string(torch::get_num_threads()) + ", OpenBLAS threads " +
         std::to_string(blas_threads()) +
         (n < 0 ? " (the libraries' defaults, the sequential learner)"
                : n == 0 ? " (disco train's default)" : "");
}

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// ----- FLOPs from the shapes -----------------------------------------------

double mm(double m, double k, double n) { return 2.0 * m * k * n; }

// An MLP of `sizes` over `rows` inputs of width `in`.
double mlp_flops(double rows, int64_t in, const std::vector<int64_t>& sizes) {
  double f = 0;
  for (auto out : sizes) {
    f += mm(rows, in, out);
    in = out;
  }
  return f;
}

struct FlopCount {
  double agent_forward = 0;   // one unroll over [T+1, B]
  double taken_heads = 0;     // the model heads again at the taken actions (with a graph)
  double agent_backward = 0;  // weight + input gradients of the online unroll
  double meta_forward = 0;    // meta-network and value expectations
  double step() const { return 2 * agent_forward + taken_heads + agent_backward + meta_forward; }
};

FlopCount count_flops(const AgentNetSettings& net, const DiscoSettings& rule) {
  const double n = (kT + 1) * kB, na = n * kA, tb = kT * kB;
  int64_t obs = 1;
  for (int d : kObservationShape) obs *= d;
  FlopCount f;
  // Agent: torso, flat heads (logits A, y Y), root linear and one LSTM gate
  // matmul per root (the one-hot action's rows are added, not multiplied),
  // then each model head's MLP over N·A rows.
  const int64_t y = rule.net.prediction_size, l = net.lstm_size;
  f.agent_forward += mlp_flops(n, obs, net.dense);
  const int64_t e = net.dense.back();
  f.agent_forward += mm(n, e, kA + y);
  f.agent_forward += mm(n, e, l) + mm(n, l, 4 * l);
  double heads = 0;  // model heads over N rows (one action each)
  for (int64_t out : {y, int64_t{kA}, rule.value.num_bins}) {  // z, aux_pi, q
    auto sizes = net.model_head_hiddens;
    sizes.push_back(out);
    heads += mlp_flops(n, l, sizes);
  }
  f.agent_forward += kA * heads;
  // The learner differentiates the model heads at the taken actions only
  // (AgentNet::unroll_taken_gradients): they run once more over N rows.
  f.taken_heads = heads;
  // Backward: a weight gradient and an input gradient per matmul, except the
  // input gradient of the first layer (observations need none), with the
  // model heads over N rows rather than N·A.
  f.agent_backward = 2 * (f.agent_forward - kA * heads + heads) - mm(n, obs, net.dense[0]);

  // Meta-network: two input networks (the meta-net's and the meta-RNN's),
  // each embedding agent and target y [N] and z [N·A] rows, then 1x1 conv
  // blocks over [T, B, A].
  const auto& s = rule.net;
  const auto input_net = [&](const std::vector<int64_t>& emb, const std::vector<int64_t>& chan) {
    double g = 2 * mlp_flops(n, y, emb) + 2 * mlp_flops(na, y, emb);
    int64_t in = 7 + 2 * emb.back();
    for (auto c : chan) {
      g += mm(tb * kA, 2 * in, c);
      in = c;
    }
    return g;
  };
  f.meta_forward += input_net(s.embedding_size, s.policy_channels);
  f.meta_forward += input_net(s.meta_rnn_pred_embedding_size, s.meta_rnn_policy_channels);
  const int64_t h = s.hidden_size;
  const int64_t in = 9 + 14 * s.embedding_size.back() + 2 * s.policy_channels.back();
  f.meta_forward += mm(tb, in + h, 4 * h);         // trajectory LSTM
  f.meta_forward += mm(tb, h, 1 + 2 * y);          // meta_input_emb, y^, z^ heads
  int64_t pc = h + s.policy_channels.back();       // pi^ conv blocks and head
  for (auto c : s.policy_target_channels) {
    f.meta_forward += mm(tb * kA, 2 * pc, c);
    pc = c;
  }
  f.meta_forward += mm(tb * kA, pc, 1);
  f.meta_forward += mlp_flops(tb, y, s.meta_rnn_pred_embedding_size);  // y_net(softmax(y^))
  const int64_t meta_in = 9 + 14 * s.meta_rnn_pred_embedding_size.back() +
                          2 * s.meta_rnn_policy_channels.back() + 1 +
                          s.meta_rnn_pred_embedding_size.back();
  f.meta_forward += mlp_flops(tb, meta_in, s.meta_rnn_embedding_size);
  // Values: the expectation over bins of online and target q, per action.
  f.meta_forward += 2 * mm(na, rule.value.num_bins, 1);
  return f;
}

// ----- matmul reference ----------------------------------------------------

// Best of several timings of 1024x1024 float32 torch::mm, `side_by_side`
// products at once on as many threads, in GFLOP/s (all of them together).
double matmul_gflops(int side_by_side) {
  torch::NoGradGuard no_grad;
  const auto a = torch::rand({1024, 1024}), b = torch::rand({1024, 1024});
  parallel_shards(side_by_side, [&](int) { torch::mm(a, b); });  // warm-up
  double best = 0;
  for (int trial = 0; trial < 7; ++trial) {
    const int reps = 10;
    const double t0 = now_s();
    parallel_shards(side_by_side, [&](int) {
      for (int i = 0; i < reps; ++i) torch::mm(a, b);
    });
    best = std::max(best,
                    side_by_side * reps * mm(1024, 1024, 1024) / (now_s() - t0) / 1e9);
  }
  return best;
}

// The machine's matmul peak: every core on one product (OpenBLAS's threads)
// or one product per core side by side, whichever is faster. Leaves the
// thread settings as it found them.
double machine_matmul_peak() {
  const int torch_threads = torch::get_num_threads(), openblas = blas_threads();
  const int cores = core_count();
  torch::set_num_threads(1);
  set_blas_threads(cores);
  const double one_product = matmul_gflops(1);
  set_blas_threads(1);
  const double side_by_side = matmul_gflops(cores);
  torch::set_num_threads(torch_threads);
  if (openblas > 0) set_blas_threads(openblas);
  return std::max(one_product, side_by_side);
}

// ----- the learner ---------------------------------------------------------

Rollout random_batch(uint64_t seed) {
  torch::manual_seed(seed);
  Rollout r;
  std::vector<int64_t> obs = {kT + 1, kB};
  obs.insert(obs.end(), kObservationShape.begin(), kObservationShape.end());
  r.observations = torch::rand(obs);
  r.actions = torch::randint(0, kA, {kT + 1, kB}, torch::kLong);
  r.discounts = (torch::rand({kT + 1, kB}) >= kTerminalProbability).to(torch::kFloat32);
  // Catch pays ±1 on the last step of an episode, nothing elsewhere.
  const auto sign = torch::randint(0, 2, {kT + 1, kB}).to(torch::kFloat32) * 2 - 1;
  r.rewards = sign * (1 - r.discounts);
  r.agent_outs["logits"] = torch::randn({kT + 1, kB, kA});
  return r;
}

// Everything a learner step needs.
struct Bench {
  AgentNetSettings net_settings;
  DiscoRule rule;
  ParamMap meta_params;
  AgentNet net;
  InnerAdam optimizer{InnerAdamSettings{}};
  LearnerState state;
  Rollout batch;

  Bench()
      : meta_params(load_disco_meta_params(std::string(DISCO_SHARED_DIR) +
                                           "/weights/disco_103.npz")),
        net(net_settings, kObservationShape, kA, rule.flat_output_spec(kA),
            rule.model_output_spec(kA)),
        state(init_learner_state(net, rule, optimizer, /*seed=*/0, torch::kCPU)),
        batch(random_batch(/*seed=*/1)) {}
};

Bench& bench() {
  static Bench b;
  return b;
}

// Learner::step with `shards` blocks.
std::map<std::string, torch::Tensor> learner_step(Bench& b, int shards) {
  auto result = disco::learner_step(b.net, b.rule, b.meta_params, b.optimizer, b.state, b.batch,
                                    /*meta_training=*/false, shards);
  b.state = std::move(result.next);
  return std::move(result.log);
}

// The stages of Learner::step, timed apart (seconds, summed over steps).
using Breakdown = std::map<std::string, double>;

void staged_step(Bench& bench, int shards, Breakdown& time) {
  const Rollout& batch = bench.batch;
  LearnerState& state = bench.state;
  double t0 = now_s();
  ParamMap params;
  std::vector<torch::Tensor> leaves;
  for (const auto& [name, t] : state.params) {
    params[name] = t.detach().requires_grad_(true);
    leaves.push_back(params[name]);
  }
  const auto sharded = unroll_sharded(bench.net, params, batch.observations, batch.actions, shards);
  const auto& agent_out = sharded.joined;
  const auto inputs = UpdateRuleInputs::from_rollout(batch, agent_out);
  double t1 = now_s();
  time["1 agent forward (online, with graph)"] += t1 - t0;

  auto rule_inputs = inputs;
  for (auto& [name, x] : rule_inputs.agent_out) x = x.detach();
  rule_inputs.shards = shards;
  double target_s = 0;
  const auto unroll = sharded_unroll_fn(bench.net, shards);
  const UpdateRule::UnrollFn timed_unroll = [&](const ParamMap& p, const torch::Tensor& obs,
                                                const torch::Tensor& reset,
                                                const std::vector<std::string>& graph_heads) {
    const double start = now_s();
    auto out = unroll(p, obs, reset, graph_heads);
    target_s += now_s() - start;
    return out;
  };
  MetaOuts meta_outs;
  {
    torch::NoGradGuard no_grad;
    auto [outs, next] = bench.rule.unroll_meta_net(bench.meta_params, state.params,
                                                   state.meta_state, rule_inputs, timed_unroll);
    meta_outs = std::move(outs);
    state.meta_state = detach_all(next);
  }
  t0 = now_s();
  time["2 target forward (no grad)"] += target_s;
  time["3 values + meta-network + target EMA"] += t0 - t1 - target_s;

  const auto mask = loss_mask_from_discounts(batch.discounts);
  const auto loss = loss_sharded(bench.rule, inputs, meta_outs, mask, shards);
  t1 = now_s();
  time["4 loss and its gradient to the outputs"] += t1 - t0;

  const auto grads = grad_sharded(sharded, loss.cotangents, leaves);
  t0 = now_s();
  time["5 backward through the network"] += t0 - t1;

  ParamMap grad_map;
  size_t i = 0;
  for (const auto& [name, t] : state.params) grad_map[name] = grads[i++];
  {
    torch::NoGradGuard no_grad;
    InnerAdam::Norms norms;  // the learner logs them
    state.params = bench.optimizer.step(state.params, grad_map, state.opt, shards, &norms);
  }
  time["6 optimiser"] += now_s() - t0;
}

// ----- Google Benchmark ----------------------------------------------------

void BM_LearnerStep(benchmark::State& st) {
  const int shards = set_threads(static_cast<int>(st.range(0)));
  Bench& b = bench();
  learner_step(b, shards);  // warm-up (allocator, first-touch)
  for (auto _ : st) {
    auto log = learner_step(b, shards);
    benchmark::DoNotOptimize(log["total_loss"].item<float>());
  }
  const double flops = count_flops(b.net_settings, b.rule.settings()).step();
  st.counters["GFLOP/step"] = flops / 1e9;
  st.counters["FLOP/s"] = benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate,
                                             benchmark::Counter::kIs1000);
}

// Keeps each repetition's wall time per step, by thread count, for the
// summary printed after the runs.
class Recorder : public benchmark::ConsoleReporter {
 public:
  Recorder() : ConsoleReporter(OO_Tabular) {}
  std::map<int, std::vector<double>> seconds_per_step;
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.error_occurred) continue;
      const auto& args = run.run_name.args;  // "threads:N"
      const int threads = std::stoi(args.substr(args.find(':') + 1));
      seconds_per_step[threads].push_back(run.real_accumulated_time / run.iterations);
    }
    ConsoleReporter::ReportRuns(runs);
  }
};

void print_summary(int threads, const std::vector<double>& seconds) {
  Bench& b = bench();
  const int shards = set_threads(threads);
  const FlopCount f = count_flops(b.net_settings, b.rule.settings());
  const double best = *std::min_element(seconds.begin(), seconds.end());
  const double achieved = f.step() / best / 1e9;
  const double peak = machine_matmul_peak();
  std::printf("\n== learner step, %s ==\n", threads_label(threads, shards).c_str());
  std::printf("  setting: T=%lld B=%lld A=%d obs 8x8, torso 512,512, LSTM 128, head 128, Disco103\n",
              static_cast<long long>(kT), static_cast<long long>(kB), kA);
  std::printf("  ms/step              %8.1f   (best of %zu repetitions)\n", best * 1e3,
              seconds.size());
  std::printf("  GFLOP/step           %8.2f   = 2 x agent fwd %.2f + taken-action heads %.2f + agent bwd %.2f + meta fwd %.2f\n",
              f.step() / 1e9, f.agent_forward / 1e9, f.taken_heads / 1e9, f.agent_backward / 1e9,
              f.meta_forward / 1e9);
  std::printf("  achieved GFLOP/s     %8.1f\n", achieved);
  std::printf("  matmul peak GFLOP/s  %8.1f   (1024x1024 float32 torch::mm on %d cores, best of 7)\n",
              peak, core_count());
  std::printf("  ratio                %8.1f %%\n", 100 * achieved / peak);

  // Breakdown over repeated staged steps (the same work as Learner::step).
  Breakdown time;
  staged_step(b, shards, time);  // warm-up
  time.clear();
  const int steps = 5;
  double total = 0;
  for (int i = 0; i < steps; ++i) {
    const double t0 = now_s();
    staged_step(b, shards, time);
    total += now_s() - t0;
  }
  std::printf("  breakdown (mean of %d staged steps, %.1f ms/step):\n", steps, total / steps * 1e3);
  for (const auto& [stage, s] : time) {
    std::printf("    %-40s %8.1f ms  %5.1f %%\n", stage.c_str(), s / steps * 1e3, 100 * s / total);
  }
}

}  // namespace

int main(int argc, char** argv) {
  disco::keep_freed_memory_for_reuse();  // as `disco` does
  thread_defaults();  // before anything changes them
  auto* bm = benchmark::RegisterBenchmark("BM_LearnerStep", BM_LearnerStep);
  bm->ArgName("threads")->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3.0);
  for (int threads : {0, -1, 1, 2}) bm->Arg(threads);
  // Repetitions give a best-of figure on a machine shared with builds.
  bm->Repetitions(3);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  Recorder recorder;
  benchmark::RunSpecifiedBenchmarks(&recorder);
  benchmark::Shutdown();
  for (const auto& [threads, seconds] : recorder.seconds_per_step) print_summary(threads, seconds);
  set_threads(-1);
  return 0;
}
