// The one explicit table of environments: name -> description, parameters,
// factory. No static self-registration (a static library's linker drops it).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "envs/batched_env.h"
#include "envs/env_params.h"
#include "envs/environment.h"

namespace disco {

struct EnvParamDoc {
  std::string name;
  std::string type;           // "int", "double", "bool", "string"
  std::string default_value;
  std::string description;
};

struct EnvEntry {
  std::string name;
  std::string description;
  std::vector<EnvParamDoc> params;
  // Builds one instance; reads its parameters from `params` (which then
  // rejects any it did not read).
  std::function<std::unique_ptr<Environment>(EnvParams& params)> make;
};

// Every environment, in the order `disco envs` lists them.
const std::vector<EnvEntry>& env_registry();

// Environments added while the program runs (the Python binding adds the
// user's Python classes this way), found by make_env and listed after the
// built-in table. Adding a name again replaces that entry; a built-in name
// throws std::invalid_argument. Safe to call from any thread.
void add_runtime_env(EnvEntry entry);
std::vector<EnvEntry> runtime_envs();

// "catch(rows=8,columns=8)" -> a new instance. Throws std::invalid_argument
// for an unknown name or parameter, naming it.
std::unique_ptr<Environment> make_env(const std::string& name_with_params);

// The names in a list separated by ';' or by commas outside parentheses
// ("catch(rows=5,columns=5),deep_sea; minatar_breakout"), spaces dropped.
std::vector<std::string> split_env_list(const std::string& list);

// `batch` instances of the same environment, not yet reset.
BatchedEnv make_batched_env(const std::string& name_with_params, int batch);

}  // namespace disco
