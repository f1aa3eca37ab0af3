// Each subcommand of `disco` lives in its own cmd_*.cc and is added to the
// application by one function listed here (and called in main.cc).
// A command's callback throws on failure; main() prints one line and exits 1.
#pragma once

#include <CLI/CLI.hpp>

namespace disco::cli {

// Raised for bad usage discovered after parsing (exit code 2, like CLI11's).
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void add_inspect_command(CLI::App& app);
void add_envs_command(CLI::App& app);
void add_env_stats_command(CLI::App& app);
void add_stats_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_plot_command(CLI::App& app);
void add_targets_command(CLI::App& app);
void add_play_command(CLI::App& app);
void add_meta_grad_command(CLI::App& app);
void add_meta_train_command(CLI::App& app);
void add_analyze_command(CLI::App& app);
void add_crafter_replay_command(CLI::App& app);

// `disco --version`: version, commit, LibTorch, BLAS, whether the AVX2 kernels run.
std::string version_text();

}  // namespace disco::cli
