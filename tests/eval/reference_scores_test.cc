// Normalisation: the reference table against fresh runs of
// `disco env-stats --policy random` (its documented source), lookups by any
// spelling, and the normalised scores themselves.
#include "eval/reference_scores.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>

#include "../cli/run_disco.h"
#include "envs/registry.h"
#include "eval/eval_plan.h"

namespace disco {
namespace {

TEST(ReferenceScores, RandomRowIsWhatEnvStatsPrints) {
  for (const ReferenceScore& r : reference_scores()) {
    const auto result = disco_test::run_disco("env-stats --env '" + r.env +
                                              "' --policy random --episodes 1000 --seed 0");
    ASSERT_EQ(result.code, 0) << r.env << "\n" << result.output;
    const double mean = nlohmann::json::parse(result.output)["return"]["mean"].get<double>();
    EXPECT_NEAR(mean, r.random, 1e-9 * (1 + std::abs(mean))) << r.env;
  }
}

TEST(ReferenceScores, EntriesAreCanonicalUniqueAndAboveRandom) {
  std::set<std::string> seen;
  for (const ReferenceScore& r : reference_scores()) {
    EXPECT_EQ(make_env(r.env)->spec().name, r.env) << "not the canonical name";
    EXPECT_TRUE(seen.insert(r.env).second) << r.env << " twice";
    EXPECT_GT(r.reference, r.random) << r.env;
    EXPECT_FALSE(r.source.empty()) << r.env;
  }
}

TEST(ReferenceScores, EverySuiteCanBeNormalised) {
  for (const char* suite : {"catch", "minatar", "gridworld", "small"}) {
    for (const std::string& env : eval_environments(suite)) {
      EXPECT_NE(find_reference_score(env), nullptr) << suite << ": " << env;
    }
  }
}

TEST(ReferenceScores, LookupAcceptsAnySpellingOfTheSameEnvironment) {
  const ReferenceScore* a = find_reference_score("catch(rows=5,columns=5)");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(find_reference_score("catch(columns=5, rows=5)"), a);
  EXPECT_EQ(find_reference_score("catch(rows=3,columns=3)"), nullptr);  // not in the table
  EXPECT_EQ(find_reference_score("t1"), nullptr);                       // not an environment
  EXPECT_NE(find_reference_score("minatar_breakout"), nullptr);        // defaults spelled out
}

TEST(ReferenceScores, RandomIsZeroReferenceIsOne) {
  const ReferenceScore r{"x", -0.5, 1.5, "test"};
  EXPECT_DOUBLE_EQ(normalised_score(-0.5, r), 0.0);
  EXPECT_DOUBLE_EQ(normalised_score(1.5, r), 1.0);
  EXPECT_DOUBLE_EQ(normalised_score(0.5, r), 0.5);
}

TEST(ReferenceScores, NormalisesATableOrNamesTheTaskItCannot) {
  const ReferenceScore& c = *find_reference_score("catch(rows=5,columns=5)");
  ScoreTable table;
  table["a"]["catch(rows=5,columns=5)"] = {c.random, c.reference};
  table["b"]["catch(rows=5,columns=5)"] = {1.0};
  const ScoreTable n = normalise_score_table(table);
  EXPECT_DOUBLE_EQ(n.at("a").at("catch(rows=5,columns=5)")[0], 0.0);
  EXPECT_DOUBLE_EQ(n.at("a").at("catch(rows=5,columns=5)")[1], 1.0);
  EXPECT_TRUE(tasks_without_reference(table).empty());

  table["a"]["my_task"] = {2.0};
  EXPECT_EQ(tasks_without_reference(table), std::vector<std::string>{"my_task"});
  try {
    normalise_score_table(table);
    FAIL() << "normalised a task without a reference";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'my_task'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace disco
