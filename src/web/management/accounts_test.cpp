#include "web/management/accounts.hpp"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "journal/testing/journal_testing.hpp"

namespace spindle::web::management {
namespace {

/// A low scrypt cost: the tests check the file and the rules, not the hash's strength.
constexpr ScryptParams kCheap{10, 8, 1};

TEST(ManagementAccounts, KeepsHashesNotPasswordsInAFileOnlyTheEdgeReads) {
  journal::testing::TempDir dir("accounts");
  const auto path = (dir.path() / "management-users").string();
  Accounts accounts(path, kCheap);
  ASSERT_TRUE(accounts.load().ok());
  EXPECT_TRUE(accounts.empty());
  ASSERT_TRUE(accounts.set("admin", Role::kAdmin, "first password").ok());
  ASSERT_TRUE(accounts.set("op.1", Role::kViewer, "second password").ok());
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text.find("first password"), std::string::npos);
  EXPECT_NE(text.find("admin admin scrypt$"), std::string::npos) << text;
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  Accounts again(path, kCheap);  // what a restart reads
  ASSERT_TRUE(again.load().ok());
  EXPECT_EQ(again.check("admin", "first password"), Role::kAdmin);
  EXPECT_EQ(again.check("op.1", "second password"), Role::kViewer);
  EXPECT_EQ(again.check("admin", "second password"), std::nullopt);
  EXPECT_EQ(again.check("nobody", "first password"), std::nullopt);
  ASSERT_EQ(again.list().size(), 2u);
}

TEST(ManagementAccounts, RefusesBadNamesShortPasswordsAndLosingTheLastAdmin) {
  journal::testing::TempDir dir("accounts_rules");
  Accounts accounts((dir.path() / "users").string(), kCheap);
  EXPECT_FALSE(accounts.set("a b", Role::kAdmin, "long enough password").ok());
  EXPECT_FALSE(accounts.set("admin", Role::kAdmin, "short").ok());
  EXPECT_FALSE(accounts.set("viewer", Role::kViewer, "long enough password").ok())
      << "the first account must leave an admin";
  ASSERT_TRUE(accounts.set("admin", Role::kAdmin, "long enough password").ok());
  EXPECT_FALSE(accounts.set("admin", Role::kViewer, "long enough password").ok());
  EXPECT_EQ(accounts.remove("admin").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(accounts.remove("ghost").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(accounts.check("admin", "long enough password"), Role::kAdmin);
}

TEST(ManagementAccounts, AMalformedFileIsAnErrorNamingTheLine) {
  journal::testing::TempDir dir("accounts_bad");
  const auto path = (dir.path() / "users").string();
  std::ofstream(path) << "# comment\nadmin admin scrypt$15$8$1$x$y\nmallory root zzz\n";
  Accounts accounts(path, kCheap);
  const auto loaded = accounts.load();
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message().find(path + ":3"), std::string::npos)
      << loaded.error().message();
}

TEST(ManagementAccounts, TheSetupCodeIsMadeOnceAndComparedExactly) {
  journal::testing::TempDir dir("setup_code");
  const auto path = (dir.path() / "management-setup-code").string();
  auto code = ensureSetupCode(path);
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(code->size(), 32u);
  EXPECT_EQ(ensureSetupCode(path).value(), code.value()) << "kept across restarts until used";
  EXPECT_TRUE(setupCodeMatches(path, *code));
  EXPECT_FALSE(setupCodeMatches(path, code->substr(1)));
  EXPECT_FALSE(setupCodeMatches(path, ""));
  std::filesystem::remove(path);
  EXPECT_FALSE(setupCodeMatches(path, *code));
}

}  // namespace
}  // namespace spindle::web::management
