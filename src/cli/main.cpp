#include "cli/commands.hpp"

int main(int argc, char** argv) { return spindle::cli::runMain(argc, argv); }
