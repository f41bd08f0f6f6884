#include "web/management/password_hash.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/base64.hpp"

namespace spindle::web::management {
namespace {

// Cheap parameters for tests where the cost is not the point (about 1 MiB, a few ms).
constexpr ScryptParams kCheap{10, 8, 1, 32};

std::string fromHex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (std::size_t end; (end = line.find('$', start)) != std::string::npos; start = end + 1) {
    fields.push_back(line.substr(start, end - start));
  }
  fields.push_back(line.substr(start));
  return fields;
}

// RFC 7914 section 12, the test vectors for scrypt.
TEST(ManagementScrypt, MatchesTheRfc7914Vectors) {
  auto empty = scryptKey("", "", 16, 1, 1, 64);
  ASSERT_TRUE(empty.ok()) << empty.error().describe();
  EXPECT_EQ(*empty, fromHex("77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
                            "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906"));
  auto nacl = scryptKey("password", "NaCl", 1024, 8, 16, 64);
  ASSERT_TRUE(nacl.ok()) << nacl.error().describe();
  EXPECT_EQ(*nacl, fromHex("fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
                           "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"));
}

TEST(ManagementScrypt, RefusesAnNThatIsNotAPowerOfTwo) {
  for (const std::uint64_t n : {0u, 1u, 1000u}) {
    auto key = scryptKey("password", "NaCl", n, 8, 1, 32);
    ASSERT_FALSE(key.ok()) << n;
    EXPECT_NE(key.error().message().find("power of two"), std::string::npos);
  }
}

TEST(ManagementPasswordHash, VerifiesALineBuiltFromTheRfcVector) {
  // The third RFC 7914 vector written by hand in the stored form: verifyPassword reads the
  // fields the way the format says, independently of hashPassword.
  const std::string key = fromHex(
      "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2"
      "d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887");
  const std::string line =
      "scrypt$14$8$1$" + base64Encode("SodiumChloride") + "$" + base64Encode(key);
  auto right = verifyPassword("pleaseletmein", line);
  ASSERT_TRUE(right.ok()) << right.error().describe();
  EXPECT_TRUE(*right);
  auto wrong = verifyPassword("pleaseletmeIn", line);
  ASSERT_TRUE(wrong.ok()) << wrong.error().describe();
  EXPECT_FALSE(*wrong);
}

TEST(ManagementPasswordHash, HashesAndVerifies) {
  auto line = hashPassword("correct horse battery", kCheap);
  ASSERT_TRUE(line.ok()) << line.error().describe();
  auto right = verifyPassword("correct horse battery", *line);
  ASSERT_TRUE(right.ok()) << right.error().describe();
  EXPECT_TRUE(*right);
  for (const char* wrong : {"correct horse batterY", "correct horse battery ", "", "c"}) {
    auto result = verifyPassword(wrong, *line);
    ASSERT_TRUE(result.ok()) << result.error().describe();
    EXPECT_FALSE(*result) << wrong;
  }
}

TEST(ManagementPasswordHash, WritesOnePrintableLineInTheDocumentedForm) {
  auto line = hashPassword("correct horse battery", ScryptParams{11, 4, 2, 24});
  ASSERT_TRUE(line.ok()) << line.error().describe();
  for (const char c : *line) EXPECT_TRUE(c > ' ' && c < 127) << static_cast<int>(c);
  const auto fields = split(*line);
  ASSERT_EQ(fields.size(), 6u) << *line;
  EXPECT_EQ(fields[0], "scrypt");
  EXPECT_EQ(fields[1], "11");
  EXPECT_EQ(fields[2], "4");
  EXPECT_EQ(fields[3], "2");
  auto salt = base64Decode(fields[4]);
  auto hash = base64Decode(fields[5]);
  ASSERT_TRUE(salt.ok() && hash.ok()) << *line;
  EXPECT_EQ(salt->size(), 16u);
  EXPECT_EQ(hash->size(), 24u);
  // The stored hash is scrypt of the password with the stored salt and parameters.
  EXPECT_EQ(scryptKey("correct horse battery", *salt, 2048, 4, 2, 24).value(), *hash);
}

TEST(ManagementPasswordHash, TwoHashesOfOnePasswordDiffer) {
  auto first = hashPassword("correct horse battery", kCheap);
  auto second = hashPassword("correct horse battery", kCheap);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(split(*first)[4], split(*second)[4]);  // the salt
  EXPECT_NE(split(*first)[5], split(*second)[5]);  // so the hash
  EXPECT_TRUE(verifyPassword("correct horse battery", *second).value());
}

TEST(ManagementPasswordHash, AnUnmatchableLineIsWellFormedAndMatchesNothing) {
  auto line = unmatchableHash(kCheap);
  ASSERT_TRUE(line.ok()) << line.error().describe();
  const auto fields = split(*line);
  ASSERT_EQ(fields.size(), 6u);
  EXPECT_EQ(fields[1], "10");  // the cost a real hash of these parameters has
  auto other = unmatchableHash(kCheap);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(fields[4], split(*other)[4]);
  for (const char* password : {"", "correct horse battery", "0123456789"}) {
    auto result = verifyPassword(password, *line);  // runs scrypt, as for a real line
    ASSERT_TRUE(result.ok()) << result.error().describe();
    EXPECT_FALSE(*result) << password;
  }
  EXPECT_FALSE(unmatchableHash(ScryptParams{9, 8, 1, 32}).ok());
  EXPECT_FALSE(unmatchableHash(ScryptParams{10, 8, 1, 65}).ok());
}

TEST(ManagementPasswordHash, DefaultsAreTheDocumentedCost) {
  const ScryptParams defaults;
  EXPECT_EQ(defaults.log2N, 15u);
  EXPECT_EQ(defaults.r, 8u);
  EXPECT_EQ(defaults.p, 1u);
  EXPECT_EQ(defaults.keyLength, 32u);
}

TEST(ManagementPasswordHash, NamesWhatIsMalformed) {
  const std::string salt = base64Encode("0123456789abcdef");
  const std::string hash = base64Encode(std::string(32, 'h'));
  const std::pair<std::string, const char*> cases[] = {
      {"", "expected 6 fields"},
      {"scrypt$10$8$1$" + salt, "found 5"},
      {"scrypt$10$8$1$" + salt + "$" + hash + "$", "found more"},
      {"bcrypt$10$8$1$" + salt + "$" + hash, "unknown scheme"},
      {"SCRYPT$10$8$1$" + salt + "$" + hash, "unknown scheme"},
      {"scrypt$$8$1$" + salt + "$" + hash, "log2 N is not"},
      {"scrypt$1x$8$1$" + salt + "$" + hash, "log2 N is not"},
      {"scrypt$-10$8$1$" + salt + "$" + hash, "log2 N is not"},
      {"scrypt$ 10$8$1$" + salt + "$" + hash, "log2 N is not"},
      {"scrypt$0010$8$1$" + salt + "$" + hash, "log2 N is not"},
      {"scrypt$10$+8$1$" + salt + "$" + hash, "r is not"},
      {"scrypt$10$8$p$" + salt + "$" + hash, "p is not"},
      {"scrypt$10$8$1$$" + hash, "salt is 0 bytes"},
      {"scrypt$10$8$1$not*base64$" + hash, "salt is not base64"},
      {"scrypt$10$8$1$" + salt + " $" + hash, "salt is not base64"},
      {"scrypt$10$8$1$QUJD$" + hash, "salt is 3 bytes"},
      {"scrypt$10$8$1$" + base64Encode(std::string(65, 's')) + "$" + hash, "salt is 65 bytes"},
      {"scrypt$10$8$1$" + base64Encode(std::string(100, 's')) + "$" + hash, "salt is longer"},
      {"scrypt$10$8$1$" + salt + "$" + std::string(100000, 'A'), "hash is longer"},
      {"scrypt$10$8$1$" + salt + "$Zm9", "hash is not base64"},
      {"scrypt$10$8$1$" + salt + "$" + base64Encode("short"), "hash is 5 bytes"},
      {"scrypt$10$8$1$" + salt + "$" + hash + "\n", "hash is not base64"},
  };
  for (const auto& [line, why] : cases) {
    auto result = verifyPassword("correct horse battery", line);
    ASSERT_FALSE(result.ok()) << line.substr(0, 80);
    EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(result.error().describe().find(why), std::string::npos)
        << result.error().describe() << " should say " << why;
  }
}

TEST(ManagementPasswordHash, RefusesParametersOutsideTheBounds) {
  const std::string tail =
      "$" + base64Encode("0123456789abcdef") + "$" + base64Encode(std::string(32, 'h'));
  const std::pair<const char*, const char*> cases[] = {
      {"scrypt$9$8$1", "log2 N 9 is outside 10..20"},
      {"scrypt$21$8$1", "log2 N 21 is outside 10..20"},
      {"scrypt$60$8$1", "log2 N 60 is outside"},
      {"scrypt$10$0$1", "r 0 is outside 1..16"},
      {"scrypt$10$17$1", "r 17 is outside 1..16"},
      {"scrypt$10$8$0", "p 0 is outside 1..4"},
      {"scrypt$10$8$5", "p 5 is outside 1..4"},
      {"scrypt$20$16$1", "needs 2048 MiB"},
      {"scrypt$19$8$1", "needs 512 MiB"},
  };
  for (const auto& [head, why] : cases) {
    auto result = verifyPassword("correct horse battery", head + tail);
    ASSERT_FALSE(result.ok()) << head;
    EXPECT_NE(result.error().describe().find(why), std::string::npos)
        << result.error().describe() << " should say " << why;
  }
  // hashPassword keeps to the same bounds, and to a sane key length.
  EXPECT_FALSE(hashPassword("correct horse battery", ScryptParams{9, 8, 1, 32}).ok());
  EXPECT_FALSE(hashPassword("correct horse battery", ScryptParams{10, 17, 1, 32}).ok());
  EXPECT_FALSE(hashPassword("correct horse battery", ScryptParams{10, 8, 5, 32}).ok());
  EXPECT_FALSE(hashPassword("correct horse battery", ScryptParams{10, 8, 1, 15}).ok());
  EXPECT_FALSE(hashPassword("correct horse battery", ScryptParams{10, 8, 1, 65}).ok());
  EXPECT_TRUE(hashPassword("correct horse battery", ScryptParams{10, 1, 4, 16}).ok());
}

TEST(ManagementPasswordPolicy, WantsTenToTwoHundredFiftySixCharacters) {
  EXPECT_NE(passwordProblem(""), "");
  EXPECT_NE(passwordProblem("123456789").find("too short"), std::string::npos);
  EXPECT_EQ(passwordProblem("1234567890"), "");
  EXPECT_EQ(passwordProblem(std::string(256, 'x')), "");
  EXPECT_NE(passwordProblem(std::string(257, 'x')).find("too long"), std::string::npos);
  // Characters, not bytes: nine two-byte letters are still too short, ten are enough.
  std::string nine;
  for (int i = 0; i < 9; ++i) nine += "\xc3\xa9";  // é
  EXPECT_NE(passwordProblem(nine).find("this one has 9"), std::string::npos);
  EXPECT_EQ(passwordProblem(nine + "\xc3\xa9"), "");
}

}  // namespace
}  // namespace spindle::web::management
