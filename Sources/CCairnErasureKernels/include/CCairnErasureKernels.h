// Multiply-accumulate kernels over GF(2^8) for CairnErasure (see docs/specs/erasure.md).
//
// The kernels are pure functions: every table they read is passed in by the caller, so this
// target holds no state. Results are byte-identical on every path.
#ifndef CCAIRN_ERASURE_KERNELS_H
#define CCAIRN_ERASURE_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// The portable path: one lookup in the full 256×256 multiplication table per byte.
#define CAIRN_EC_KERNEL_PORTABLE 0
/// 16 bytes at a time with the split-nibble tables and `pshufb`.
#define CAIRN_EC_KERNEL_SSSE3 1
/// 32 bytes at a time with the split-nibble tables and `vpshufb`.
#define CAIRN_EC_KERNEL_AVX2 2

/// The fastest kernel this CPU supports (one of the CAIRN_EC_KERNEL_* values).
int cairn_ec_best_kernel(void);

/// Whether this CPU can run `kernel`.
int cairn_ec_kernel_supported(int kernel);

/// Multiplies a rows×cols coefficient matrix by cols input buffers of `length` bytes:
/// `outputs[r] = (accumulate ? outputs[r] : 0) ^ Σ_c coefficients[r·cols + c] · inputs[c]`.
///
/// - multiplication_table: 65536 bytes, entry `a·256 + b` is a·b in GF(2^8).
/// - nibble_tables: rows·cols·32 bytes; for coefficient (r, c) at offset (r·cols + c)·32,
///   16 bytes `coefficient · i` then 16 bytes `coefficient · (i << 4)` for i in 0..<16.
/// - Outputs must not overlap inputs or each other. Inputs are read once per block of
///   CAIRN_EC_BLOCK_BYTES per group of output rows, so a block of all inputs stays in cache.
void cairn_ec_matrix_multiply(int kernel, size_t rows, size_t cols,
                              const uint8_t *coefficients,
                              const uint8_t *multiplication_table,
                              const uint8_t *nibble_tables,
                              const uint8_t *const *inputs,
                              uint8_t *const *outputs,
                              size_t length, int accumulate);

#endif
