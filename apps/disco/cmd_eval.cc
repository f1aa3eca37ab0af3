// `disco eval --rules R1,R2 --envs SUITE|LIST --seeds K --frames F --out DIR`:
// every (rule, environment, seed) as a `disco train` run folder under DIR at
// an equal budget of environment frames (src/eval/eval_plan.h), J runs at a
// time (eval_jobs.h), resumable; then each run's final score in
// DIR/scores.csv and the report (src/eval/eval_report.h): statistics, plots,
// report.md. With `--grid G --tune-envs E` each rule first runs every
// configuration of its grid on E, and only its best is evaluated, with fresh
// seeds (src/eval/tuning.h). `disco report DIR` redraws the report.
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

#include "agent/train_presets.h"
#include "agent/train_settings.h"
#include "commands.h"
#include "eval_jobs.h"
#include "eval/eval_plan.h"
#include "eval/eval_report.h"
#include "eval/reference_scores.h"
#include "eval/tuning.h"
#include "io/atomic_file.h"
#include "io/config.h"

namespace disco::cli {
namespace {
namespace fs = std::filesystem;

struct EvalArgs {
  std::string rules, envs, out, config, grid, tune_envs, preset;
  int seeds = 0, jobs = 1, threads = 0, reps = 50000, tune_seeds = 0;
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

std::vector<std::string> environments(const std::string& list) {
  try {
    return eval_environments(list);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}

double score_of(const PlannedRun& p, double fraction) {
  const double score = final_score(p.run.dir, fraction);
  if (!std::isfinite(score)) {
    throw std::runtime_error(p.run.dir + ": no episode ended in its last " + std::to_string(fraction) +
                             " of frames; give more --frames");
  }
  return score;
}

// Learner steps of `rule` with `settings` over its defaults, at `frames`.
int64_t steps_for(const std::string& rule, const nlohmann::json& settings, int64_t frames) {
  TrainSettings s;
  try {
    s = default_train_settings(rule);
    apply_settings_json(settings, s);
  } catch (const std::invalid_argument& e) {
    throw UsageError(rule_label(rule) + ": " + e.what());
  }
  return learner_steps_for_frames(s, frames);
}

// The tuning phase: every rule's configurations on the tuning environments;
// returns each rule's chosen configuration index and writes DIR/tuning.json
// and DIR/tuning.md.
std::map<std::string, int> tune(const EvalArgs& a, const std::vector<std::string>& rules,
                                const std::vector<std::string>& tune_envs,
                                const std::map<std::string, std::vector<nlohmann::json>>& configs,
                                const std::map<std::string, std::vector<std::string>>& config_files,
                                const std::map<std::string, std::vector<int64_t>>& steps,
                                int threads) {
  const fs::path out(a.out);
  const size_t count = configs.begin()->second.size();
  // Planned rule-major, so each rule's configurations run side by side.
  std::vector<PlannedRun> runs;
  std::map<std::string, std::vector<std::vector<size_t>>> index;  // rule -> config -> runs
  for (const auto& rule : rules) {
    for (size_t c = 0; c < count; ++c) {
      index[rule].emplace_back();
      const std::string folder = (out / "tune" / ("c" + std::to_string(c))).string();
      for (const EvalRun& run : eval_grid({rule}, tune_envs, a.tune_seeds, folder)) {
        index[rule][c].push_back(runs.size());
        runs.push_back({run, steps.at(rule)[c], config_files.at(rule)[c]});
      }
    }
  }
  run_all(runs, {a.out, a.frames, a.jobs, threads}, "tuning");

  bool normalise = true;
  for (const auto& env : tune_envs) normalise = normalise && find_reference_score(env) != nullptr;
  nlohmann::ordered_json record;
  std::ostringstream md;
  md << std::setprecision(4) << "Each rule ran " << count << " configurations on "
     << tune_envs.size() << " tuning environment" << (tune_envs.size() == 1 ? "" : "s") << " (";
  for (size_t e = 0; e < tune_envs.size(); ++e) md << (e ? ", " : "") << tune_envs[e];
  md << ") with seeds 0.." << a.tune_seeds - 1 << " at " << a.frames
     << " frames; the configuration with the highest IQM of its final scores ("
     << (normalise ? "normalised" : "raw returns") << ") was evaluated, with seeds from "
     << a.tune_seeds << " on.\n\n| rule | configuration | IQM on the tuning runs | chosen |\n"
     << "|---|---|---|---|\n";
  std::map<std::string, int> chosen;
  for (const auto& rule : rules) {
    std::vector<TaskScores> scores(count);
    for (size_t c = 0; c < count; ++c) {
      ScoreTable table;
      for (size_t i : index[rule][c]) {
        table["r"][runs[i].run.env].push_back(score_of(runs[i], a.fraction));
      }
      if (normalise) table = normalise_score_table(table);
      scores[c] = rule_scores(table, "r", tune_envs);
    }
    const TuningResult result = choose_configuration(scores);
    chosen[rule] = result.chosen;
    nlohmann::ordered_json r;
    r["chosen"] = result.chosen;
    for (size_t c = 0; c < count; ++c) {
      r["configurations"].push_back({{"settings", configs.at(rule)[c]},
                                     {"iqm", result.iqm[c]},
                                     {"learner_steps", steps.at(rule)[c]}});
      md << "| " << rule_label(rule) << " | " << configuration_label(configs.at(rule)[c]) << " | "
         << result.iqm[c] << " | " << (static_cast<int>(c) == result.chosen ? "**yes**" : "") << " |\n";
    }
    record[rule_label(rule)] = r;
  }
  record["normalised"] = normalise;
  write_file_atomically((out / "tuning.json").string(), record.dump(2) + "\n");
  write_file_atomically((out / "tuning.md").string(), md.str());
  std::cout << "tuning: chose";
  for (const auto& rule : rules) {
    std::cout << " " << rule_label(rule) << " c" << chosen[rule] << " ("
              << configuration_label(configs.at(rule)[chosen[rule]]) << ")";
  }
  std::cout << "; see " << (out / "tuning.md").string() << std::endl;
  return chosen;
}

void run_eval(const EvalArgs& a) {
  if (a.seeds <= 0) throw UsageError("--seeds must be positive, got " + std::to_string(a.seeds));
  if (a.frames <= 0) throw UsageError("--frames must be positive, got " + std::to_string(a.frames));
  if (a.jobs <= 0) throw UsageError("--jobs must be positive, got " + std::to_string(a.jobs));
  if (a.threads < 0) throw UsageError("--threads must not be negative, got " + std::to_string(a.threads));
  if (a.reps <= 0) throw UsageError("--reps must be positive, got " + std::to_string(a.reps));
  if (a.tune_seeds < 0) {
    throw UsageError("--tune-seeds must not be negative (0: as many as --seeds), got " + std::to_string(a.tune_seeds));
  }
  if (!(a.fraction > 0 && a.fraction <= 1)) {
    throw UsageError("--score-fraction must lie in (0, 1], got " + std::to_string(a.fraction));
  }
  if (a.grid.empty() != a.tune_envs.empty()) {
    throw UsageError("--grid and --tune-envs go together: the grid runs on the tuning environments");
  }
  const bool tuning = !a.grid.empty();
  if (!tuning && a.tune_seeds > 0) throw UsageError("--tune-seeds needs --grid");
  const int tune_seeds = tuning ? (a.tune_seeds > 0 ? a.tune_seeds : a.seeds) : 0;
  EvalArgs args = a;
  args.tune_seeds = tune_seeds;

  const std::vector<std::string> rules = split_commas(a.rules);
  if (rules.empty()) throw UsageError("--rules names no rule");
  const std::vector<std::string> envs = environments(a.envs);
  const std::vector<std::string> tune_envs = tuning ? environments(a.tune_envs) : std::vector<std::string>{};
  const nlohmann::json config = a.config.empty() ? nlohmann::json::object() : load_config_file(a.config);

  // Each rule's configurations: its defaults and --config, then, with a grid,
  // each grid point over those.
  std::map<std::string, std::vector<nlohmann::json>> configs;
  if (tuning) {
    try {
      configs = tuning_configurations(load_config_file(a.grid), rules);
    } catch (const std::invalid_argument& e) {
      throw UsageError(a.grid + ": " + e.what());
    }
    bool references = true;
    for (const auto& env : tune_envs) references = references && find_reference_score(env) != nullptr;
    if (!references && tune_envs.size() > 1) {
      throw UsageError("tuning on several environments compares normalised scores, and some of "
                       "--tune-envs have no reference score; tune on one environment or on "
                       "environments of the suites");
    }
  } else {
    for (const auto& rule : rules) configs[rule] = {nlohmann::json::object()};
  }
  // A rule's settings: its defaults, the preset's settings for it, --config,
  // then the grid point. Runs get them merged into one file (DIR/configs/)
  // unless --config alone is given.
  const bool merged_files = tuning || !a.preset.empty();
  std::map<std::string, std::vector<nlohmann::json>> merged;
  std::map<std::string, std::vector<int64_t>> steps;
  std::map<std::string, std::vector<std::string>> config_files;
  for (const auto& rule : rules) {
    nlohmann::json base = config;
    if (!a.preset.empty()) {
      try {
        base = merge_settings(preset_settings(a.preset, rule), config);
      } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
      }
    }
    for (size_t c = 0; c < configs[rule].size(); ++c) {
      merged[rule].push_back(merge_settings(base, configs[rule][c]));
      steps[rule].push_back(steps_for(rule, merged[rule][c], a.frames));
      config_files[rule].push_back(
          merged_files ? (fs::path(a.out) / "configs" /
                          (eval_folder_name(rule_label(rule)) + "-c" + std::to_string(c) + ".json"))
                             .string()
                       : a.config);
    }
  }
  const int threads = a.threads > 0 ? a.threads
                                    : std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / a.jobs);

  // The plan: a rerun with other arguments would mix runs of two plans.
  nlohmann::ordered_json plan;
  plan["rules"] = rules;
  plan["envs"] = envs;
  plan["seeds"] = a.seeds;
  plan["frames"] = a.frames;
  if (tuning) {
    plan["learner_steps"] = steps;
    plan["grid"] = load_config_file(a.grid);
    plan["tune_envs"] = tune_envs;
    plan["tune_seeds"] = tune_seeds;
    plan["first_seed"] = tune_seeds;  // evaluation seeds are fresh
  } else {
    std::map<std::string, int64_t> one;
    for (const auto& rule : rules) one[rule] = steps[rule][0];
    plan["learner_steps"] = one;
  }
  plan["config"] = config;
  if (!a.preset.empty()) plan["preset"] = a.preset;
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
  std::map<std::string, int> chosen;
  for (const auto& rule : rules) chosen[rule] = 0;
  if (merged_files) {
    fs::create_directories(out / "configs");
    for (const auto& rule : rules) {
      for (size_t c = 0; c < configs[rule].size(); ++c) {
        write_file_atomically(config_files[rule][c], merged[rule][c].dump(2) + "\n");
      }
    }
  }
  if (tuning) chosen = tune(args, rules, tune_envs, configs, config_files, steps, threads);

  std::vector<PlannedRun> runs;
  for (const EvalRun& run : eval_grid(rules, envs, a.seeds, a.out, tune_seeds)) {
    runs.push_back({run, steps[run.rule][chosen[run.rule]], config_files[run.rule][chosen[run.rule]]});
  }
  std::cout << "eval: " << rules.size() << " rules x " << envs.size() << " environments x "
            << a.seeds << " seeds" << std::endl;
  run_all(runs, {a.out, a.frames, a.jobs, threads}, "eval");

  // Scores and statistics.
  std::ostringstream csv;
  csv << std::setprecision(10) << "rule,task,seed,score,normalised_score,frames,learner_steps\n";
  for (const PlannedRun& p : runs) {
    const double score = score_of(p, a.fraction);
    const ReferenceScore* ref = find_reference_score(p.run.env);
    csv << rule_label(p.run.rule) << ",\"" << p.run.env << "\"," << p.run.seed << "," << score << ",";
    if (ref) csv << normalised_score(score, *ref);
    csv << "," << a.frames << "," << p.steps << "\n";
  }
  write_file_atomically((out / "scores.csv").string(), csv.str());
  BootstrapSettings settings;
  settings.reps = a.reps;
  write_eval_report(a.out, settings);
  std::cout << "scores: " << (out / "scores.csv").string()
            << "\nstatistics: " << (out / "stats.jsonl").string() << " and "
            << (out / "results.md").string() << "\nreport: " << (out / "report.md").string()
            << " (plots: iqm.png, performance_profile.png, sample_efficiency.png, curves_*.png)\n";
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
  cmd->add_option("--preset", a.preset,
                  "named settings per rule (" + train_preset_names() +
                      "; src/agent/train_presets.h), under --config");
  cmd->add_option("--score-fraction", a.fraction, "last fraction of frames that scores a run (0.1)");
  cmd->add_option("--reps", a.reps, "bootstrap resamples (50000)");
  cmd->add_option("--grid", a.grid,
                  "tuning grid (JSON/YAML): rule -> settings key -> list of values; the same "
                  "number of configurations per rule (src/eval/tuning.h)");
  cmd->add_option("--tune-envs", a.tune_envs,
                  "environments the grid runs on; each rule's best configuration is then "
                  "evaluated on --envs with fresh seeds");
  cmd->add_option("--tune-seeds", a.tune_seeds, "seeds per tuning run: 0..K-1 (default --seeds)");
  cmd->callback([]() { run_eval(a); });
}

}  // namespace disco::cli
