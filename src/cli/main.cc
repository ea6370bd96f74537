#include "cli/commands.h"

int main(int argc, char** argv) { return tradeflow::cli::Main(argc, argv); }
