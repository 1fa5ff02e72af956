#ifndef PEIL_FUZZ_DRIVER_H
#define PEIL_FUZZ_DRIVER_H

/// Runs libFuzzer (`LLVMFuzzerRunDriver`, linked in by `-sanitize=fuzzer`) with the command
/// line and the target's `LLVMFuzzerTestOneInput`; returns libFuzzer's exit status.
int peil_fuzz_main(int argc, char **argv);

#endif
