#include <cstdio>
#include <cstdlib>
#include <system_error>

#include "cli/commands.h"

int main(int argc, char** argv) {
  // Arrow's default allocator in the pyarrow build (mimalloc) hands freed pages back to the OS
  // and faults them in again for every batch: in a run that builds and frees batches all the
  // time that was a sixth of the CPU (kernel page clearing). jemalloc keeps them. A user's own
  // choice (the variable already set) wins; Arrow falls back to its default if jemalloc is absent.
  setenv("ARROW_DEFAULT_MEMORY_POOL", "jemalloc", /*overwrite=*/0);
  try {
    return tradeflow::cli::Main(argc, argv);
  } catch (const std::system_error& e) {  // fmt::print's, when stdout cannot be written
    std::fprintf(stderr, "tradeflow: error: %s\n", e.what());
    return 1;
  }
}
