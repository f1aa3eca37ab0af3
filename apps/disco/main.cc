// `disco`: discover reinforcement-learning update rules and train agents with them.
#include <iostream>

#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{"disco: discover RL update rules (DiscoRL) and train agents with them"};
  app.require_subcommand(1);
  app.fallthrough(false);
  disco::cli::add_inspect_command(app);
  disco::cli::add_envs_command(app);
  disco::cli::add_train_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
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
