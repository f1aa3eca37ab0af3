// Reading a rule,task,seed,score CSV and a rule,task,seed,frames,score one
// (src/eval/score_table.h).
#include "eval/score_table.h"

#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>
#include <string>

namespace disco {
namespace {

ScoreTable parse(const std::string& text) {
  std::istringstream in(text);
  return parse_score_csv(in, "s.csv");
}

// The message of the std::invalid_argument that parsing `text` throws.
std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ScoreCsv, ColumnsInAnyOrderAndExtraColumnsIgnored) {
  const ScoreTable t = parse(
      "score,steps,task,seed,rule\r\n"
      "0.5,100,catch,0,a\r\n"
      "\n"
      " 1.5 , 100, catch ,1,a\n"
      "-2e-1,100,\"pong, v2\",0,\"b \"\"x\"\"\"\n");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t.at("a").at("catch"), (std::vector<double>{0.5, 1.5}));
  EXPECT_EQ(t.at("b \"x\"").at("pong, v2"), (std::vector<double>{-0.2}));
}

TEST(ScoreCsv, MalformedTablesNameTheProblemAndLine) {
  EXPECT_EQ(error_of(""), "s.csv: empty file (no header row)");
  EXPECT_EQ(error_of("rule,task,seed,score\n"), "s.csv: no scores (only a header row)");
  EXPECT_NE(error_of("rule,task,score\na,t,1\n").find("no 'seed' column"), std::string::npos);
  EXPECT_EQ(error_of("rule,task,seed,score\na,t,0,abc\n"), "s.csv:2: score 'abc' is not a number");
  EXPECT_EQ(error_of("rule,task,seed,score\na,t,0,1\na,t,1,nan\n"), "s.csv:3: score is NaN");
  EXPECT_EQ(error_of("rule,task,seed,score\na,t,0,inf\n"), "s.csv:2: score 'inf' is not finite");
  EXPECT_EQ(error_of("rule,task,seed,score\na,t,0,1e999\n"),
            "s.csv:2: score '1e999' is not finite");
  EXPECT_EQ(error_of("rule,task,seed,score\na,t,0,\n"), "s.csv:2: the score is empty");
  EXPECT_EQ(error_of("rule,task,seed,score\na,t,0\n"), "s.csv:2: 3 fields, but the header has 4");
  EXPECT_EQ(error_of("rule,task,seed,score\n,t,0,1\n"), "s.csv:2: the rule is empty");
  EXPECT_EQ(error_of("rule,task,seed,score\na,\"t,0,1\n"), "s.csv:2: a quoted field is not closed");
  EXPECT_EQ(error_of("rule,task,seed,score\na,t,0,1\na,t,0,2\n"),
            "s.csv:3: a second score for rule 'a', task 't', seed '0' (the first is on line 2)");
  EXPECT_EQ(error_of("rule,task,seed,score,seed\n"), "s.csv: column 'seed' appears twice");
}

TEST(ScoreCsv, MissingFileIsAnError) {
  EXPECT_THROW(read_score_csv("/no/such/scores.csv"), std::runtime_error);
  EXPECT_THROW(read_score_csv("/"), std::runtime_error);
  EXPECT_THROW(read_curve_csv("/no/such/curves.csv"), std::runtime_error);
}

CurveTable parse_curves(const std::string& text) {
  std::istringstream in(text);
  return parse_curve_csv(in, "c.csv");
}

std::string curve_error_of(const std::string& text) {
  try {
    parse_curves(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(CurveCsv, EachCheckpointOfFramesIsAScoreTable) {
  const CurveTable t = parse_curves(
      "rule,seed,frames,task,score\n"
      "a,0,100,catch,0.1\n"
      "a,1,100,catch,0.2\n"
      "a,0,200,catch,0.5\n"
      "b,0,200,\"pong, v2\",-1\n");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t.at(100).at("a").at("catch"), (std::vector<double>{0.1, 0.2}));
  EXPECT_EQ(t.at(200).at("a").at("catch"), (std::vector<double>{0.5}));
  EXPECT_EQ(t.at(200).at("b").at("pong, v2"), (std::vector<double>{-1}));
  EXPECT_EQ(t.at(100).count("b"), 0u);
}

TEST(CurveCsv, MalformedTablesNameTheProblemAndLine) {
  EXPECT_NE(curve_error_of("rule,task,seed,score\na,t,0,1\n").find("no 'frames' column"),
            std::string::npos);
  EXPECT_EQ(curve_error_of("rule,task,seed,frames,score\na,t,0,1.5,1\n"),
            "c.csv:2: frames '1.5' is not a whole number of frames (0 or more)");
  EXPECT_EQ(curve_error_of("rule,task,seed,frames,score\na,t,0,-10,1\n"),
            "c.csv:2: frames '-10' is not a whole number of frames (0 or more)");
  EXPECT_EQ(curve_error_of("rule,task,seed,frames,score\na,t,0,,1\n"),
            "c.csv:2: the frames are empty");
  EXPECT_EQ(curve_error_of("rule,task,seed,frames,score\na,t,0,10,x\n"),
            "c.csv:2: score 'x' is not a number");
  EXPECT_EQ(curve_error_of("rule,task,seed,frames,score\na,t,0,10,1\na,t,0,10,2\n"),
            "c.csv:3: a second score for rule 'a', task 't', seed '0' at 10 frames (the first "
            "is on line 2)");
  EXPECT_EQ(curve_error_of("rule,task,seed,frames,score\n"),
            "c.csv: no scores (only a header row)");
}

}  // namespace
}  // namespace disco
