// Vector kernels of swift-stbp in C: on x86-64 each is built for AVX-512 (x86-64-v4), AVX2
// (x86-64-v3) and baseline x86-64 and the widest the CPU runs is picked when the library
// loads (elsewhere, once for the target). Swift code compiles for baseline x86-64 only (SSE),
// and has no per-function target features.
#ifndef CSTBPKERNELS_H
#define CSTBPKERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/// Output channels the event-driven kernels sum at once (in registers).
#define STBP_EVENT_BLOCK 64

/// Packs n spikes x[i] (each +0 or 1) into bits: bit i % 64 of bits[i / 64] is x[i]; the last
/// word's unused bits are 0. Returns the number of ones, or -1 (bits then undefined) when an
/// entry is neither +0 nor 1.
ptrdiff_t stbp_pack_spikes(const float *x, ptrdiff_t n, uint64_t *bits);

/// x[i] = bit first + i of `bits` (0 or 1), for i in 0..<n.
void stbp_unpack_spikes(const uint64_t *bits, ptrdiff_t first, ptrdiff_t n, float *x);

/// Lists the nonzero entries of one sample's maps x [C, P] by pixel: the channels of the ones
/// at pixel p, ascending, are pixelChannels[pixelStart[p]..<pixelStart[p + 1]]. pixelStart has
/// P + 1 entries, pixelChannels room for every one. Returns the number of ones.
ptrdiff_t stbp_spike_lists_by_pixel(
    const float *x, ptrdiff_t channels, ptrdiff_t pixels, int32_t *pixelStart, int32_t *pixelChannels);

/// Lists the ones of one sample's maps [C, H, W], stored as bits from bit `first` on, by
/// channel: the positions (y << 16 | x) of channel c's ones in raster order are
/// channelCoordinates[channelStart[c]..<channelStart[c + 1]]. H, W < 65536. Returns the count.
ptrdiff_t stbp_spike_lists_by_channel(
    const uint64_t *bits, ptrdiff_t first, ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width,
    int32_t *channelStart, int32_t *channelCoordinates);

/// The forward convolution of one sample of spikes (lists by pixel, `stbp_spike_lists_by_pixel`)
/// with weights wt [K·K, C, O] (wt[(ky·K + kx)·C + c][o] = w[o, c, ky, kx]), visiting only the
/// ones:
///
///     y[o, oy, ox] = b[o] + Σ_{ky, kx} Σ_{c : x[c, iy, ix] = 1} wt[ky·K + kx][c][o],
///     iy = oy·stride - padding + ky, ix = ox·stride - padding + kx
///
/// summed in that order (taps, then channels ascending). y is [O, Ho, Wo]; bias may be NULL.
/// Scratch: `scratch` Ho·Wo·STBP_EVENT_BLOCK floats and `cursor` H·W entries.
void stbp_event_conv2d_forward(
    const int32_t *pixelStart, const int32_t *pixelChannels, ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width,
    const float *wt, ptrdiff_t outChannels, ptrdiff_t kernel, ptrdiff_t stride, ptrdiff_t padding,
    const float *bias, float *y, ptrdiff_t outHeight, ptrdiff_t outWidth, float *scratch, int32_t *cursor);

/// Adds one sample's weight gradient, summed over the ones of its input only (lists by
/// channel, `stbp_spike_lists_by_channel`), to gradWeight [K·K, C, O]:
///
///     dwt[ky·K + kx][c][o] += Σ_{(iy, ix) : x[c, iy, ix] = 1} g[oy, ox][o],   oy·stride = iy + padding - ky
///
/// with g = dL/dy of the sample channels-last [Ho·Wo, O].
void stbp_event_conv2d_weight_gradient(
    const int32_t *channelStart, const int32_t *channelCoordinates, ptrdiff_t channels, const float *gradient,
    ptrdiff_t outChannels, ptrdiff_t kernel, ptrdiff_t stride, ptrdiff_t padding, ptrdiff_t outHeight,
    ptrdiff_t outWidth, float *gradWeight);

#endif
