// Reading a table of final scores from CSV into a ScoreTable.
//
// The file has a header row naming at least the columns rule, task, seed and
// score, in any order; other columns are ignored. Each further row is one run:
// rule and task are labels, seed labels the run (a rule's (task, seed) pairs
// must be unique), score is a finite number. Fields may be double-quoted
// ("a,b" and "say ""hi""" as in RFC 4180, one record per line); spaces around
// fields and blank lines are ignored.
//
//   rule,task,seed,score
//   disco103,catch,0,0.93
//   actor_critic,catch,0,0.88
#pragma once

#include <istream>
#include <string>

#include "eval/score_stats.h"

namespace disco {

// Throws std::runtime_error when the file cannot be read and
// std::invalid_argument, naming the file and line, for a malformed table
// (missing column, wrong number of fields, empty label, a score that is not a
// finite number, a repeated (rule, task, seed), no rows at all).
ScoreTable read_score_csv(const std::string& path);

// As read_score_csv, from a stream; `source` names it in messages.
ScoreTable parse_score_csv(std::istream& in, const std::string& source);

}  // namespace disco
