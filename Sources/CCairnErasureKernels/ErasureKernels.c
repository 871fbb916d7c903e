// Split-nibble GF(2^8) multiply-accumulate kernels (see include/CCairnErasureKernels.h and
// docs/specs/erasure.md). A product c·x is table_low[x & 15] ^ table_high[x >> 4], because
// multiplication by c is linear over GF(2); `pshufb` performs 16 (or 32) such lookups at once.
#include "CCairnErasureKernels.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CAIRN_EC_X86 1
#endif

/// Bytes of every input processed per pass over a group of output rows: k inputs of 4 KiB stay
/// in L1/L2 while all output groups of the block are computed.
#define CAIRN_EC_BLOCK_BYTES 4096
/// Output rows accumulated in registers while each input vector is loaded once: 4 of the 16 XMM
/// registers with SSSE3; 6 of the 16 YMM registers with AVX2 (as ISA-L's gf_6vect_dot_prod), leaving
/// room for the input, its two nibbles, the mask and two tables.
#define CAIRN_EC_GROUP_ROWS 4
#define CAIRN_EC_AVX2_GROUP_ROWS 6

int cairn_ec_kernel_supported(int kernel) {
    switch (kernel) {
    case CAIRN_EC_KERNEL_PORTABLE:
        return 1;
#if CAIRN_EC_X86
    case CAIRN_EC_KERNEL_SSSE3:
        __builtin_cpu_init();
        return __builtin_cpu_supports("ssse3") ? 1 : 0;
    case CAIRN_EC_KERNEL_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") ? 1 : 0;
#endif
    default:
        return 0;
    }
}

int cairn_ec_best_kernel(void) {
    if (cairn_ec_kernel_supported(CAIRN_EC_KERNEL_AVX2)) return CAIRN_EC_KERNEL_AVX2;
    if (cairn_ec_kernel_supported(CAIRN_EC_KERNEL_SSSE3)) return CAIRN_EC_KERNEL_SSSE3;
    return CAIRN_EC_KERNEL_PORTABLE;
}

// MARK: - Portable

/// Rows [row_start, row_end) of the product over bytes [start, end), one table lookup per byte.
static void multiply_portable(size_t row_start, size_t row_end, size_t cols,
                              const uint8_t *coefficients, const uint8_t *table,
                              const uint8_t *const *inputs, uint8_t *const *outputs,
                              size_t start, size_t end, int accumulate) {
    for (size_t r = row_start; r < row_end; r++) {
        // restrict: outputs never overlap inputs or the table, so loads need not wait for stores.
        uint8_t *restrict out = outputs[r];
        for (size_t c = 0; c < cols; c++) {
            const uint8_t *restrict row = table + (size_t)coefficients[r * cols + c] * 256;
            const uint8_t *restrict in = inputs[c];
            if (c == 0 && !accumulate) {
                for (size_t i = start; i < end; i++) out[i] = row[in[i]];
            } else {
                for (size_t i = start; i < end; i++) out[i] ^= row[in[i]];
            }
        }
        if (cols == 0 && !accumulate) memset(out + start, 0, end - start);
    }
}

#if CAIRN_EC_X86

// MARK: - SSSE3

__attribute__((target("ssse3"), always_inline))
static inline void group_ssse3(const int nrows, size_t row, size_t cols, const uint8_t *nibbles,
                               const uint8_t *const *inputs, uint8_t *const *outputs,
                               size_t start, size_t end, int accumulate) {
    const __m128i mask = _mm_set1_epi8(0x0f);
    for (size_t i = start; i < end; i += 16) {
        __m128i acc[CAIRN_EC_GROUP_ROWS];
        for (int g = 0; g < nrows; g++) {
            acc[g] = accumulate ? _mm_loadu_si128((const __m128i *)(outputs[row + g] + i)) : _mm_setzero_si128();
        }
        for (size_t c = 0; c < cols; c++) {
            __m128i x = _mm_loadu_si128((const __m128i *)(inputs[c] + i));
            __m128i lo = _mm_and_si128(x, mask);
            __m128i hi = _mm_and_si128(_mm_srli_epi64(x, 4), mask);
            for (int g = 0; g < nrows; g++) {
                const uint8_t *t = nibbles + ((row + g) * cols + c) * 32;
                __m128i tl = _mm_loadu_si128((const __m128i *)t);
                __m128i th = _mm_loadu_si128((const __m128i *)(t + 16));
                acc[g] = _mm_xor_si128(acc[g], _mm_xor_si128(_mm_shuffle_epi8(tl, lo), _mm_shuffle_epi8(th, hi)));
            }
        }
        for (int g = 0; g < nrows; g++) _mm_storeu_si128((__m128i *)(outputs[row + g] + i), acc[g]);
    }
}

__attribute__((target("ssse3")))
static void multiply_ssse3(size_t rows, size_t cols, const uint8_t *nibbles,
                           const uint8_t *const *inputs, uint8_t *const *outputs,
                           size_t start, size_t end, int accumulate) {
    for (size_t row = 0; row < rows; row += CAIRN_EC_GROUP_ROWS) {
        switch (rows - row) {
        case 1: group_ssse3(1, row, cols, nibbles, inputs, outputs, start, end, accumulate); break;
        case 2: group_ssse3(2, row, cols, nibbles, inputs, outputs, start, end, accumulate); break;
        case 3: group_ssse3(3, row, cols, nibbles, inputs, outputs, start, end, accumulate); break;
        default: group_ssse3(4, row, cols, nibbles, inputs, outputs, start, end, accumulate); break;
        }
    }
}

// MARK: - AVX2

__attribute__((target("avx2"), always_inline))
static inline void group_avx2(const int nrows, size_t row, size_t cols, const uint8_t *nibbles,
                              const uint8_t *const *inputs, uint8_t *const *outputs,
                              size_t start, size_t end, int accumulate) {
    const __m256i mask = _mm256_set1_epi8(0x0f);
    for (size_t i = start; i < end; i += 32) {
        __m256i acc[CAIRN_EC_AVX2_GROUP_ROWS];
        for (int g = 0; g < nrows; g++) {
            acc[g] = accumulate ? _mm256_loadu_si256((const __m256i *)(outputs[row + g] + i)) : _mm256_setzero_si256();
        }
        for (size_t c = 0; c < cols; c++) {
            __m256i x = _mm256_loadu_si256((const __m256i *)(inputs[c] + i));
            __m256i lo = _mm256_and_si256(x, mask);
            __m256i hi = _mm256_and_si256(_mm256_srli_epi64(x, 4), mask);
            for (int g = 0; g < nrows; g++) {
                const uint8_t *t = nibbles + ((row + g) * cols + c) * 32;
                __m256i tl = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t));
                __m256i th = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(t + 16)));
                acc[g] = _mm256_xor_si256(acc[g], _mm256_xor_si256(_mm256_shuffle_epi8(tl, lo), _mm256_shuffle_epi8(th, hi)));
            }
        }
        for (int g = 0; g < nrows; g++) _mm256_storeu_si256((__m256i *)(outputs[row + g] + i), acc[g]);
    }
}

__attribute__((target("avx2")))
static void multiply_avx2(size_t rows, size_t cols, const uint8_t *nibbles,
                          const uint8_t *const *inputs, uint8_t *const *outputs,
                          size_t start, size_t end, int accumulate) {
    for (size_t row = 0; row < rows; row += CAIRN_EC_AVX2_GROUP_ROWS) {
        switch (rows - row) {
        case 1: group_avx2(1, row, cols, nibbles, inputs, outputs, start, end, accumulate); break;
        case 2: group_avx2(2, row, cols, nibbles, inputs, outputs, start, end, accumulate); break;
        case 3: group_avx2(3, row, cols, nibbles, inputs, outputs, start, end, accumulate); break;
        case 4: group_avx2(4, row, cols, nibbles, inputs, outputs, start, end, accumulate); break;
        case 5: group_avx2(5, row, cols, nibbles, inputs, outputs, start, end, accumulate); break;
        default: group_avx2(6, row, cols, nibbles, inputs, outputs, start, end, accumulate); break;
        }
    }
}

#endif

void cairn_ec_matrix_multiply(int kernel, size_t rows, size_t cols,
                              const uint8_t *coefficients,
                              const uint8_t *multiplication_table,
                              const uint8_t *nibble_tables,
                              const uint8_t *const *inputs,
                              uint8_t *const *outputs,
                              size_t length, int accumulate) {
    if (rows == 0 || length == 0) return;
    size_t vector = 0;
#if CAIRN_EC_X86
    if (kernel == CAIRN_EC_KERNEL_AVX2) vector = 32;
    else if (kernel == CAIRN_EC_KERNEL_SSSE3) vector = 16;
#endif
    // The vector paths need at least one input (they load before they store); the tail that
    // does not fill a whole vector is finished with the portable lookups, which agree bytewise.
    size_t vectorEnd = (vector != 0 && cols != 0) ? length - length % vector : 0;
    for (size_t start = 0; start < vectorEnd; start += CAIRN_EC_BLOCK_BYTES) {
        size_t end = start + CAIRN_EC_BLOCK_BYTES < vectorEnd ? start + CAIRN_EC_BLOCK_BYTES : vectorEnd;
#if CAIRN_EC_X86
        if (vector == 32) multiply_avx2(rows, cols, nibble_tables, inputs, outputs, start, end, accumulate);
        else multiply_ssse3(rows, cols, nibble_tables, inputs, outputs, start, end, accumulate);
#endif
    }
    for (size_t start = vectorEnd; start < length; start += CAIRN_EC_BLOCK_BYTES) {
        size_t end = start + CAIRN_EC_BLOCK_BYTES < length ? start + CAIRN_EC_BLOCK_BYTES : length;
        multiply_portable(0, rows, cols, coefficients, multiplication_table, inputs, outputs, start, end, accumulate);
    }
}
