// Per-environment normalisation of final scores: random = 0, reference = 1,
//
//   normalised = (return - random) / (reference - random),
//
// from one table (reference_scores.cc) that gives, for each environment of
// the evaluation suites, the uniform random policy's mean return and a
// reference return with its source. The random row is what
//
//   disco env-stats --env ENV --policy random --episodes 1000 --seed 0
//
// prints as return.mean (tests/eval/reference_scores_test.cc reruns it for
// every row). References are the optimal return where the rules of the game
// fix it (Catch, DeepSea), else a measured hand-designed baseline whose
// command, budget and date the table states.
#pragma once

#include <string>
#include <vector>

#include "eval/score_stats.h"

namespace disco {

struct ReferenceScore {
  std::string env;     // canonical name, as `disco envs` and env-stats print it
  double random = 0;   // mean return of the uniform random policy
  double reference = 1;  // the return that normalises to 1
  std::string source;  // where `reference` comes from
};

// The whole table, in suite order.
const std::vector<ReferenceScore>& reference_scores();

// The entry of `env` (any spelling the registry accepts: parameters in any
// order, defaults omitted), or nullptr when the table has none or `env` is
// not an environment name.
const ReferenceScore* find_reference_score(const std::string& env);

double normalised_score(double raw, const ReferenceScore& r);

// Every task of `table` normalised by its entry. Throws std::invalid_argument
// naming the first task the table lacks.
ScoreTable normalise_score_table(const ScoreTable& table);

// The tasks of `table` that the table lacks, sorted (empty: all normalisable).
std::vector<std::string> tasks_without_reference(const ScoreTable& table);

}  // namespace disco
