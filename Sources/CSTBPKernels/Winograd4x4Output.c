// Winograd F(4x4, 3x3) output transform, 16 tiles a vector (one AVX-512 register, two AVX2 or
// four SSE registers, whichever clone the CPU runs). The tiles of a vector are consecutive
// GEMM columns: they may span tile rows and samples, so each group of four is written where
// it belongs, with one 16-float store when the four share a tile row.
//
//     Aᵀ = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1],  ξ = 6 r + l.

#include "CSTBPKernels.h"
#include "KernelSupport.h"

typedef float v16 __attribute__((ext_vector_type(16)));
/// Four floats at any float's address.
typedef float v4u __attribute__((ext_vector_type(4), aligned(4), may_alias));


// Vectors go through macros, not functions: a 16-float argument or result would change the
// calling convention between the clones.
#define LOAD(p) (*(const v16u *)(p))
#define STORE(p, v) (*(v16u *)(p) = (v))

CLONES
void stbp_winograd4x4_output_tiles(
    const float *m, ptrdiff_t n, ptrdiff_t first, ptrdiff_t count, ptrdiff_t tiles, ptrdiff_t columns, float bias,
    float *y, ptrdiff_t mapStride, ptrdiff_t height, ptrdiff_t width
) {
    const ptrdiff_t end = first + count;
    for (ptrdiff_t f0 = first; f0 < end; f0 += 16) {
        const float *column = m + f0;
        for (int i = 0; i < 4; i++) {
            // Row i of Aᵀ m for the six columns l, then row i of (Aᵀ m) A.
            v16 p[6];
            for (int l = 0; l < 6; l++) {
#define M(r) LOAD(column + (6 * (r) + l) * n)
                switch (i) {
                case 0: p[l] = M(0) + M(1) + M(2) + M(3) + M(4); break;
                case 1: p[l] = (M(1) - M(2)) + 2 * (M(3) - M(4)); break;
                case 2: p[l] = (M(1) + M(2)) + 4 * (M(3) + M(4)); break;
                default: p[l] = (M(1) - M(2)) + 8 * (M(3) - M(4)) + M(5); break;
                }
#undef M
            }
            const v16 s = p[1] + p[2], d = p[1] - p[2], s2 = p[3] + p[4], d2 = p[3] - p[4];
            const v16 q0 = p[0] + s + s2 + bias, q1 = d + 2 * d2 + bias;
            const v16 q2 = s + 4 * s2 + bias, q3 = d + 8 * d2 + p[5] + bias;
            // Output column b of tile lane t is lane t of q_b: interleave the four, so that
            // lanes 4j...4j+3 of row[h] are the outputs of tile 4h + j.
            const v16 low01 = __builtin_shufflevector(q0, q1, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
            const v16 high01 = __builtin_shufflevector(
                q0, q1, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
            const v16 low23 = __builtin_shufflevector(q2, q3, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
            const v16 high23 = __builtin_shufflevector(
                q2, q3, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
            const v16 row[4] = {
                __builtin_shufflevector(low01, low23, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23),
                __builtin_shufflevector(low01, low23, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31),
                __builtin_shufflevector(high01, high23, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23),
                __builtin_shufflevector(high01, high23, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31),
            };
            for (int h = 0; h < 4; h++) {
                const ptrdiff_t f = f0 + 4 * h;
                if (f >= end) break;
                const ptrdiff_t sample = f / tiles, t = f % tiles, ty = t / columns, tx = t % columns;
                // Four tiles in range whose 16 outputs fit the map row (so 4 tx + 16 <= 4 columns:
                // the four share the tile row, and the sample).
                if (f + 4 <= end && 4 * tx + 16 <= width) {
                    if (4 * ty + i < height) STORE(y + sample * mapStride + (4 * ty + i) * width + 4 * tx, row[h]);
                    continue;
                }
                for (int j = 0; j < 4 && f + j < end; j++) {
                    const ptrdiff_t g = f + j, s = g / tiles, u = g % tiles, uy = u / columns, ux = u % columns;
                    if (4 * uy + i >= height) continue;
                    float *target = y + s * mapStride + (4 * uy + i) * width + 4 * ux;
                    const ptrdiff_t valid = width - 4 * ux < 4 ? width - 4 * ux : 4;
                    if (valid == 4) {
                        const v16 r = row[h];
                        switch (j) {
                        case 0: *(v4u *)target = __builtin_shufflevector(r, r, 0, 1, 2, 3); break;
                        case 1: *(v4u *)target = __builtin_shufflevector(r, r, 4, 5, 6, 7); break;
                        case 2: *(v4u *)target = __builtin_shufflevector(r, r, 8, 9, 10, 11); break;
                        default: *(v4u *)target = __builtin_shufflevector(r, r, 12, 13, 14, 15); break;
                        }
                    } else {
                        for (ptrdiff_t b = 0; b < valid; b++) target[b] = row[h][4 * j + b];
                    }
                }
            }
        }
    }
}
