#include <stddef.h>
#include <stdint.h>
#include "FuzzDriver.h"

// SwiftPM links an executable's `main` to its module's entry point, so libFuzzer's own `main`
// is never used: the entry point calls libFuzzer's driver instead.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*test)(const uint8_t *data, size_t size));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int peil_fuzz_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
