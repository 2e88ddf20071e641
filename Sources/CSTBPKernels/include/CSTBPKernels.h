// Vector kernels of swift-stbp in C: on x86-64 each is built for AVX-512 (x86-64-v4), AVX2
// (x86-64-v3) and baseline x86-64 and the widest the CPU runs is picked when the library
// loads (elsewhere, once for the target). Swift code compiles for baseline x86-64 only (SSE),
// and has no per-function target features.
#ifndef CSTBPKERNELS_H
#define CSTBPKERNELS_H

#include <stddef.h>

/// Winograd F(4x4, 3x3) output transform (`Winograd4x4Conv2D.transformOutput`) of tiles
/// first..<first + count of one output channel, 16 tiles a vector:
///
///     y[s][4ty + a][4tx + b] = (Aᵀ m A)[a, b] + bias,   m[ξ] = M[ξ · n + f]
///
/// for tile f = s · tiles + ty · columns + tx; y points at the channel's map of sample 0 and
/// the map of sample s is s · mapStride floats further. Outputs past height x width are
/// dropped. Reads up to 15 floats past tile first + count - 1 of each row of M.
void stbp_winograd4x4_output_tiles(
    const float *m, ptrdiff_t n, ptrdiff_t first, ptrdiff_t count, ptrdiff_t tiles, ptrdiff_t columns, float bias,
    float *y, ptrdiff_t mapStride, ptrdiff_t height, ptrdiff_t width);

#endif
