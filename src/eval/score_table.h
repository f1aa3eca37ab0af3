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
//
// A curve table has a further column, frames: each row is one run's score at
// a checkpoint of that many environment frames (a whole number), and a rule's
// (task, seed, frames) triples must be unique. `disco eval` writes one,
// learning_curves.csv, for the sample-efficiency curve (sample_efficiency.h).
//
//   rule,task,seed,frames,score
//   disco103,catch,0,1000,-0.2
//   disco103,catch,0,2000,0.4
#pragma once

#include <cstdint>
#include <istream>
#include <map>
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

// frames -> the score table of the runs' scores at that checkpoint.
using CurveTable = std::map<int64_t, ScoreTable>;

// As read_score_csv, for a curve table; frames that are not a whole number
// of 0 or more, and a repeated (rule, task, seed, frames), are errors too.
CurveTable read_curve_csv(const std::string& path);
CurveTable parse_curve_csv(std::istream& in, const std::string& source);

}  // namespace disco
