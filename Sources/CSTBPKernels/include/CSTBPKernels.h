// Vector kernels of swift-stbp in C: on x86-64 each is built for AVX-512 (x86-64-v4), AVX2
// (x86-64-v3) and baseline x86-64 and the widest the CPU runs is picked when the library
// loads (elsewhere, once for the target). Swift code compiles for baseline x86-64 only (SSE),
// and has no per-function target features.
#ifndef CSTBPKERNELS_H
#define CSTBPKERNELS_H

#include <stdbool.h>
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

/// One LIF step for n neurons (`LIFKernel.step`): u = decay · u[t-1] · (1 - o[t-1]) + I, with
/// o[t-1] = u[t-1] > threshold (u = I when `previous` is NULL; `previous` may be `u`), then
/// o = 1[u > threshold]. Writes u and o; returns the number of spikes. n < 2^31.
ptrdiff_t stbp_lif_step(
    const float *input, const float *previous, float *u, float *o, ptrdiff_t n, float decay, float threshold);

/// One step of the STBP reverse pass (`LIFKernel.reverse`) for n neurons with the rectangular
/// surrogate h(u) = (1/a) · 1[|u - V| < a/2]:
///
///     δ = (g - resetDecay · u · δ') · h(u) + decay · (1 - o) · δ',   o = 1[u > V]
///
/// with δ' = next[i] on entry (δ[t+1]) and δ on return; out[i] = δ, or out[i] += δ with
/// `accumulate`.
void stbp_lif_delta_rectangular(
    const float *g, const float *u, float *next, float *out, bool accumulate, ptrdiff_t n, float decay,
    float resetDecay, float threshold, float width);

#endif
