#pragma once
/// A check of how deeply a YAML text nests, made before yaml-cpp parses it: yaml-cpp's parser
/// is recursive, and a hostile or broken file (thousands of '[' or '- - - -') must get a clear
/// error instead of a crash or an obscure message.

#include <optional>
#include <string_view>

namespace spindle::config {

/// Configuration and scripts nest a handful of levels; deeper is refused.
constexpr int kMaxYamlDepth = 64;

struct DeepNesting {
  int line = 0;    ///< 1-based, where the limit was first passed
  int column = 0;  ///< 1-based
};

/// Where `text` first nests deeper than `maxDepth` (block indentation levels, sequence
/// entries and flow collections counted together); nullopt when it does not. It reads the
/// text as YAML approximately (quotes, comments and block scalars are skipped) and never
/// fails: what it cannot tell apart is left to the parser.
std::optional<DeepNesting> findDeepNesting(std::string_view text, int maxDepth = kMaxYamlDepth);

}  // namespace spindle::config
