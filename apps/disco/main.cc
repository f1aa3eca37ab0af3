// `disco`: discover reinforcement-learning update rules and train agents with them.
#include <iostream>
#include <utility>

#include "commands.h"
#include "core/allocator.h"

int main(int argc, char** argv) {
  disco::keep_freed_memory_for_reuse();
  CLI::App app{"disco: discover RL update rules (DiscoRL) and train agents with them"};
  app.require_subcommand(1);
  app.set_version_flag("--version", [] { return disco::cli::version_text(); });
  app.fallthrough(false);
  disco::cli::add_inspect_command(app);
  disco::cli::add_envs_command(app);
  disco::cli::add_env_stats_command(app);
  disco::cli::add_stats_command(app);
  disco::cli::add_eval_command(app);
  disco::cli::add_report_command(app);
  disco::cli::add_train_command(app);
  disco::cli::add_plot_command(app);
  disco::cli::add_targets_command(app);
  disco::cli::add_meta_grad_command(app);
  disco::cli::add_meta_train_command(app);
  disco::cli::add_play_command(app);
  disco::cli::add_analyze_command(app);
  disco::cli::add_crafter_replay_command(app);
  // CLI11 reports an unknown subcommand as "a subcommand is required"; name it.
  const auto known = [&](const std::string& name) {
    return !std::as_const(app).get_subcommands([&](const CLI::App* sub) { return sub->check_name(name); }).empty();
  };
  if (argc > 1 && argv[1][0] != '-' && !known(argv[1])) {
    std::cerr << "disco: unknown subcommand '" << argv[1] << "' (see disco --help)\n";
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  } catch (const disco::cli::UsageError& e) {
    std::cerr << "disco: usage error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "disco: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
