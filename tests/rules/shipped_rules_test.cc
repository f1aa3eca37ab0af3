// Rules shipped under the repository's rules/ load by name (rules/README.md):
// "NAME" is rules/NAME.npz, a Disco rule; names that are paths are not looked
// up there; an unknown name lists the known ones.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>

#include "../cli/scratch.h"
#include "io/npz_tensors.h"
#include "rules/rule_factory.h"
#include "golden_util.h"

namespace {

namespace fs = std::filesystem;

TEST(ShippedRules, ANameUnderTheRulesFolderLoadsAsADiscoRule) {
  const auto dir = disco_test::scratch_root("disco_shipped_rules_") / "rules";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string weights = disco::testing::weights_path();
  fs::copy_file(weights, dir / "mine.npz");
  fs::create_directories(dir.parent_path() / "other");
  fs::copy_file(weights, dir.parent_path() / "other" / "elsewhere.npz", fs::copy_options::overwrite_existing);
  ASSERT_EQ(setenv("DISCO_RULES_DIR", dir.c_str(), 1), 0);

  EXPECT_EQ(disco::shipped_rules_dir(), dir.string());
  EXPECT_EQ(disco::shipped_rule_path("mine"), (dir / "mine.npz").string());
  EXPECT_EQ(disco::rule_kind("mine"), "disco");
  EXPECT_EQ(disco::rule_kind("mine(predictions=off)"), "disco");
  const auto choice = disco::make_rule("mine", nlohmann::json::object(), "/nonexistent/disco_103.npz");
  EXPECT_EQ(choice.kind, "disco");
  const auto reference = disco::make_rule("disco103", nlohmann::json::object(), weights);
  ASSERT_EQ(choice.meta_params.size(), 42u);
  for (const auto& [name, t] : reference.meta_params) {
    EXPECT_TRUE(torch::equal(t, choice.meta_params.at(name))) << name;
  }
  const auto names = disco::rule_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "mine"), names.end());

  // Paths are not names: nothing outside the folder is reached this way.
  for (const char* name : {"../other/elsewhere", "sub/mine", ".mine", "nosuchrule"}) {
    EXPECT_EQ(disco::shipped_rule_path(name), "") << name;
  }
  try {
    disco::rule_kind("nosuchrule");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("mine"), std::string::npos) << e.what();
  }
  ASSERT_EQ(unsetenv("DISCO_RULES_DIR"), 0);
  EXPECT_THROW(disco::rule_kind("mine"), std::invalid_argument);
}

}  // namespace
