#pragma once
/// The command line: `spindle <command>`. Exit codes: 0 success, 1 runtime failure,
/// 2 usage or configuration error.

namespace spindle::cli {

int runMain(int argc, char** argv);

}  // namespace spindle::cli
