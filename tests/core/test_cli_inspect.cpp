// The CLI surface of the foundation: --help lists commands, --version, inspect on each format, errors.
#include <gtest/gtest.h>

#include <fstream>

#include "core/embeddings.hpp"
#include "core/json_io.hpp"
#include "core/npy.hpp"
#include "support/test_support.hpp"

namespace saerad {
namespace {

using testing::run_saerad;
using testing::TempDir;

TEST(Cli, HelpAndVersion) {
  auto help = run_saerad({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("inspect"), std::string::npos);
  auto version = run_saerad({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("git"), std::string::npos);
  auto unknown = run_saerad({"no-such-command"});
  EXPECT_NE(unknown.exit_code, 0);
}

TEST(Cli, InspectSafetensorsAndNpy) {
  TempDir dir;
  Embeddings e;
  e.vectors = MatrixF32(2, 3, 1.5f);
  e.ids = {"a", "b"};
  e.study_ids = {"s1", "s2"};
  e.model = "builtin-v1";
  write_embeddings(dir / "e.safetensors", e, Provenance{});
  write_npy(dir / "m.npy", e.vectors);

  auto text = run_saerad({"inspect", (dir / "e.safetensors").string(), "--stats"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("embeddings"), std::string::npos);
  EXPECT_NE(text.out.find("[2, 3]"), std::string::npos);
  EXPECT_NE(text.out.find("builtin-v1"), std::string::npos);
  EXPECT_NE(text.out.find("provenance"), std::string::npos);

  auto json = run_saerad({"inspect", (dir / "e.safetensors").string(), "--json", "--stats"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  Json j = Json::parse(json.out);
  EXPECT_EQ(j["tensors"][0]["shape"], Json::array({2, 3}));
  EXPECT_DOUBLE_EQ(j["tensors"][0]["stats"]["mean"].get<double>(), 1.5);
  EXPECT_EQ(j["metadata"]["ids"], Json::array({"a", "b"}));

  auto npy = run_saerad({"--json", "inspect", (dir / "m.npy").string()});
  ASSERT_EQ(npy.exit_code, 0) << npy.err;
  EXPECT_EQ(Json::parse(npy.out)["format"], "npy");
}

TEST(Cli, BadInputIsOneClearErrorWithExitStatus2) {
  TempDir dir;
  std::ofstream(dir / "broken.safetensors") << "garbage!";
  auto r = run_saerad({"inspect", (dir / "broken.safetensors").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("saerad: error:"), std::string::npos);
  EXPECT_NE(r.err.find("broken.safetensors"), std::string::npos);
}

}  // namespace
}  // namespace saerad
