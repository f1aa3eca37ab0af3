// `disco eval --rules R1,R2 --envs SUITE|LIST --seeds K --frames F --out DIR`:
// every (rule, environment, seed) as a `disco train` run folder under DIR at
// an equal budget of environment frames (src/eval/eval_plan.h), J runs at a
// time (child processes of this binary, threads split between them),
// resumable (finished runs are skipped, stopped ones resume from their
// checkpoints); then each run's final score in DIR/scores.csv and the report
// (src/eval/eval_report.h): statistics, plots, report.md. `disco report DIR`
// redraws the report.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "agent/train_settings.h"
#include "commands.h"
#include "eval/eval_plan.h"
#include "eval/eval_report.h"
#include "io/atomic_file.h"
#include "io/config.h"

namespace disco::cli {
namespace {
namespace fs = std::filesystem;

struct EvalArgs {
  std::string rules, envs, out, config;
  int seeds = 0, jobs = 1, threads = 0, reps = 50000;
  int64_t frames = 0;
  double fraction = 0.1;
};

std::vector<std::string> split_commas(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// One `disco train` child: its arguments and its log file.
struct Job {
  const EvalRun* run;
  std::vector<std::string> argv;
  std::string log;
};

pid_t start(const Job& job) {
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("eval: cannot start a run (fork failed)");
  if (pid == 0) {
    const int fd = ::open(job.log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      close(fd);
    }
    std::vector<char*> argv;
    for (const auto& a : job.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  return pid;
}

void run_eval(const EvalArgs& a) {
  if (a.seeds <= 0) throw UsageError("--seeds must be positive, got " + std::to_string(a.seeds));
  if (a.frames <= 0) throw UsageError("--frames must be positive, got " + std::to_string(a.frames));
  if (a.jobs <= 0) throw UsageError("--jobs must be positive, got " + std::to_string(a.jobs));
  if (a.threads < 0) throw UsageError("--threads must not be negative, got " + std::to_string(a.threads));
  if (a.reps <= 0) throw UsageError("--reps must be positive, got " + std::to_string(a.reps));
  if (!(a.fraction > 0 && a.fraction <= 1)) {
    throw UsageError("--score-fraction must lie in (0, 1], got " + std::to_string(a.fraction));
  }
  const std::vector<std::string> rules = split_commas(a.rules);
  if (rules.empty()) throw UsageError("--rules names no rule");
  std::vector<std::string> envs;
  try {
    envs = eval_environments(a.envs);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  // Each rule's settings (its defaults, then --config) fix its learner steps.
  const nlohmann::json config = a.config.empty() ? nlohmann::json::object() : load_config_file(a.config);
  std::map<std::string, int64_t> steps;
  for (const auto& rule : rules) {
    TrainSettings s;
    try {
      s = default_train_settings(rule);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
    apply_settings_json(config, s);
    steps[rule] = learner_steps_for_frames(s, a.frames);
  }
  const int threads = a.threads > 0 ? a.threads
                                    : std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / a.jobs);

  // The plan: a rerun with other arguments would mix runs of two plans.
  nlohmann::ordered_json plan;
  plan["rules"] = rules;
  plan["envs"] = envs;
  plan["seeds"] = a.seeds;
  plan["frames"] = a.frames;
  plan["learner_steps"] = steps;
  plan["config"] = config;
  plan["score_fraction"] = a.fraction;
  const fs::path out(a.out);
  const fs::path plan_file = out / "eval.json";
  if (fs::exists(plan_file)) {
    const auto before = load_config_file(plan_file.string());
    if (before != nlohmann::json(plan)) {
      throw UsageError("'" + a.out + "' holds an evaluation with other rules, environments, seeds, "
                       "frames or settings (see its eval.json); choose another --out");
    }
  }
  fs::create_directories(out / "logs");
  write_file_atomically(plan_file.string(), plan.dump(2) + "\n");

  const std::vector<EvalRun> grid = eval_grid(rules, envs, a.seeds, a.out);
  std::vector<Job> todo;
  int finished = 0;
  for (const EvalRun& run : grid) {
    const RunState state = run_state(run.dir, steps.at(run.rule));
    if (state == RunState::kFinished) {
      ++finished;
      continue;
    }
    Job job{&run, {"disco", "train"}, ""};
    if (state == RunState::kPartial) {
      job.argv.insert(job.argv.end(), {"--resume", run.dir});
    } else {
      job.argv.insert(job.argv.end(), {"--rule", run.rule, "--env", run.env, "--seed",
                                       std::to_string(run.seed), "--steps",
                                       std::to_string(steps.at(run.rule)), "--out", run.dir});
      if (!a.config.empty()) job.argv.insert(job.argv.end(), {"--config", a.config});
    }
    job.argv.insert(job.argv.end(), {"--threads", std::to_string(threads)});
    job.log = (out / "logs" / (fs::path(run.dir).parent_path().parent_path().filename().string() + "-" +
                               fs::path(run.dir).parent_path().filename().string() + "-seed" +
                               std::to_string(run.seed) + ".log"))
                  .string();
    todo.push_back(job);
  }
  std::cout << "eval: " << rules.size() << " rules x " << envs.size() << " environments x "
            << a.seeds << " seeds = " << grid.size() << " runs of " << a.frames << " frames; "
            << finished << " finished, " << todo.size() << " to run, " << a.jobs << " at a time with "
            << threads << " thread" << (threads == 1 ? "" : "s") << " each -> " << a.out << std::endl;

  // Run them, `jobs` at a time.
  std::map<pid_t, const Job*> running;
  std::vector<std::string> failed;
  size_t next = 0;
  while (next < todo.size() || !running.empty()) {
    while (next < todo.size() && static_cast<int>(running.size()) < a.jobs) {
      running[start(todo[next])] = &todo[next];
      ++next;
    }
    int status = 0;
    const pid_t pid = wait(&status);
    if (pid < 0) break;
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const Job& job = *it->second;
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    std::cout << (ok ? "done   " : "FAILED ") << job.run->dir << (ok ? "" : " (see " + job.log + ")")
              << std::endl;
    if (!ok) failed.push_back(job.run->dir);
    running.erase(it);
  }
  if (!failed.empty()) {
    throw std::runtime_error(std::to_string(failed.size()) + " of " + std::to_string(todo.size()) +
                             " runs failed (first: " + failed.front() + "); rerun to resume them");
  }

  // Scores and statistics.
  std::ostringstream csv;
  csv << std::setprecision(10) << "rule,task,seed,score,frames,learner_steps\n";
  for (const EvalRun& run : grid) {
    const double score = final_score(run.dir, a.fraction);
    if (!std::isfinite(score)) {
      throw std::runtime_error(run.dir + ": no episode ended in its last " +
                               std::to_string(a.fraction) + " of frames; give more --frames");
    }
    const std::string rule = rule_label(run.rule);
    csv << rule << ",\"" << run.env << "\"," << run.seed << "," << score << "," << a.frames << ","
        << steps.at(run.rule) << "\n";
  }
  write_file_atomically((out / "scores.csv").string(), csv.str());
  BootstrapSettings settings;
  settings.reps = a.reps;
  write_eval_report(a.out, settings);
  std::cout << "scores: " << (out / "scores.csv").string() << "\nstatistics: "
            << (out / "stats.jsonl").string() << " and " << (out / "results.md").string()
            << "\nreport: " << (out / "report.md").string() << " (plots: iqm.png, curves_*.png)\n";
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "report", "Regenerate an evaluation's statistics, plots and one-page report.md from DIR");
  static std::string dir;
  static int reps = 50000;
  cmd->add_option("dir", dir, "the folder of a finished `disco eval`")->required();
  cmd->add_option("--reps", reps, "bootstrap resamples (50000)");
  cmd->callback([]() {
    if (reps <= 0) throw UsageError("--reps must be positive, got " + std::to_string(reps));
    BootstrapSettings settings;
    settings.reps = reps;
    write_eval_report(dir, settings);
    std::cout << "report: " << (fs::path(dir) / "report.md").string() << "\n";
  });
}

void add_eval_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "eval",
      "Evaluate rules: every (rule, environment, seed) as a `disco train` run under DIR/runs at\n"
      "the same budget of environment frames, J at a time; resumable (rerun the same command).\n"
      "Writes DIR/scores.csv (rule,task,seed,score), DIR/stats.jsonl (as `disco stats`),\n"
      "DIR/results.md, plots and DIR/report.md (`disco report DIR` redraws them).");
  static EvalArgs a;
  cmd->add_option("--rules", a.rules, "rules, comma-separated (disco103, actor_critic, ppo, FILE.npz)")
      ->required();
  cmd->add_option("--envs", a.envs, "a suite (" + eval_suite_names() + ") or a list of environments")
      ->required();
  cmd->add_option("--seeds", a.seeds, "seeds per (rule, environment): 0..K-1")->required();
  cmd->add_option("--frames", a.frames, "environment frames per run")->required();
  cmd->add_option("--out", a.out, "evaluation folder")->required();
  cmd->add_option("--jobs", a.jobs, "runs at a time (default 1)");
  cmd->add_option("--threads", a.threads, "threads per run (default: cores / jobs)");
  cmd->add_option("--config", a.config, "settings file applied to every rule's runs");
  cmd->add_option("--score-fraction", a.fraction, "last fraction of frames that scores a run (0.1)");
  cmd->add_option("--reps", a.reps, "bootstrap resamples (50000)");
  cmd->callback([]() { run_eval(a); });
}

}  // namespace disco::cli
