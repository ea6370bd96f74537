#include <cstdlib>

#include "cli/commands.h"

int main(int argc, char** argv) {
  // Arrow's default allocator in the pyarrow build (mimalloc) hands freed pages back to the OS
  // and faults them in again for every batch: in a run that builds and frees batches all the
  // time that was a sixth of the CPU (kernel page clearing). jemalloc keeps them. A user's own
  // choice (the variable already set) wins; Arrow falls back to its default if jemalloc is absent.
  setenv("ARROW_DEFAULT_MEMORY_POOL", "jemalloc", /*overwrite=*/0);
  return tradeflow::cli::Main(argc, argv);
}
