#pragma once
/// The command line: `spindle run|validate|sim|version`. Exit codes: 0 success, 1 runtime
/// failure, 2 usage or configuration error.

namespace spindle::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int runMain(int argc, char** argv);

}  // namespace spindle::cli
