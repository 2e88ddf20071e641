// Event-driven convolution of binary spikes (`EventConv2DKernel`): the work visits the ones of
// the input only. Sums run in a fixed order (taps, then channels ascending; spikes in raster
// order) with additions only, so the results do not depend on the vector width.

#include "CSTBPKernels.h"

#pragma clang fp contract(off)

#include "KernelSupport.h"

// Output channels per register block: 64 floats, 8 AVX2 registers.
#define BLOCK STBP_EVENT_BLOCK

CLONES
ptrdiff_t stbp_pack_spikes(const float *x, ptrdiff_t n, uint64_t *bits) {
    ptrdiff_t count = 0;
    for (ptrdiff_t word = 0; word * 64 < n; word++) {
        const ptrdiff_t low = word * 64, length = n - low < 64 ? n - low : 64;
        // Compared as bit patterns (+0 is 0, 1 is 0x3f800000), without branches, so that the
        // loop vectorises: -0, NaN and every other value set `odd`.
        uint64_t packed = 0;
        uint32_t odd = 0;
        for (ptrdiff_t i = 0; i < length; i++) {
            uint32_t pattern;
            __builtin_memcpy(&pattern, x + low + i, sizeof pattern);
            packed |= (uint64_t)(pattern == 0x3f800000u) << i;
            odd |= (pattern != 0u) & (pattern != 0x3f800000u);
        }
        if (odd) return -1;
        bits[word] = packed;
        count += __builtin_popcountll(packed);
    }
    return count;
}

CLONES
void stbp_unpack_spikes(const uint64_t *bits, ptrdiff_t first, ptrdiff_t n, float *x) {
    for (ptrdiff_t i = 0; i < n; i++) {
        const ptrdiff_t index = first + i;
        x[i] = (float)((bits[index >> 6] >> (index & 63)) & 1);
    }
}

ptrdiff_t stbp_spike_lists_by_pixel(
    const float *x, ptrdiff_t channels, ptrdiff_t pixels, int32_t *pixelStart, int32_t *pixelChannels
) {
    for (ptrdiff_t p = 0; p <= pixels; p++) pixelStart[p] = 0;
    for (ptrdiff_t c = 0; c < channels; c++) {
        const float *map = x + c * pixels;
        for (ptrdiff_t p = 0; p < pixels; p++) pixelStart[p + 1] += map[p] != 0.0f;
    }
    for (ptrdiff_t p = 0; p < pixels; p++) pixelStart[p + 1] += pixelStart[p];
    // Fill in channel order through a cursor per pixel (pixelStart[p] moved forward, then back).
    for (ptrdiff_t c = 0; c < channels; c++) {
        const float *map = x + c * pixels;
        for (ptrdiff_t p = 0; p < pixels; p++) {
            if (map[p] != 0.0f) pixelChannels[pixelStart[p]++] = (int32_t)c;
        }
    }
    for (ptrdiff_t p = pixels; p > 0; p--) pixelStart[p] = pixelStart[p - 1];
    pixelStart[0] = 0;
    return pixelStart[pixels];
}

ptrdiff_t stbp_spike_lists_by_channel(
    const uint64_t *bits, ptrdiff_t first, ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width,
    int32_t *channelStart, int32_t *channelCoordinates
) {
    const ptrdiff_t pixels = height * width;
    ptrdiff_t count = 0;
    channelStart[0] = 0;
    for (ptrdiff_t c = 0; c < channels; c++) {
        const ptrdiff_t low = first + c * pixels, high = low + pixels;
        for (ptrdiff_t word = low >> 6; word * 64 < high; word++) {
            uint64_t packed = bits[word];
            if (word * 64 < low) packed &= ~(uint64_t)0 << (low - word * 64);
            if (word * 64 + 64 > high) packed &= ((uint64_t)1 << (high - word * 64)) - 1;
            while (packed) {
                const ptrdiff_t p = word * 64 + __builtin_ctzll(packed) - low;
                packed &= packed - 1;
                channelCoordinates[count++] = (int32_t)(((p / width) << 16) | (p % width));
            }
        }
        channelStart[c + 1] = (int32_t)count;
    }
    return count;
}

// A block of 64 sums is 4 vectors (v16u) a0...a3, kept in registers; plain arrays would be
// copied through memcpy calls between the registers and the sums.
#define LOAD_BLOCK(p)                                                                             \
    v16u a0 = ((const v16u *)(p))[0], a1 = ((const v16u *)(p))[1], a2 = ((const v16u *)(p))[2], \
         a3 = ((const v16u *)(p))[3];
#define STORE_BLOCK(p)         \
    ((v16u *)(p))[0] = a0;     \
    ((v16u *)(p))[1] = a1;     \
    ((v16u *)(p))[2] = a2;     \
    ((v16u *)(p))[3] = a3;
#define ADD_BLOCK(row)                \
    a0 += ((const v16u *)(row))[0];   \
    a1 += ((const v16u *)(row))[1];   \
    a2 += ((const v16u *)(row))[2];   \
    a3 += ((const v16u *)(row))[3];

CLONES
void stbp_event_conv2d_forward(
    const int32_t *pixelStart, const int32_t *pixelChannels, ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width,
    const float *wt, ptrdiff_t outChannels, ptrdiff_t kernel, ptrdiff_t stride, ptrdiff_t padding,
    const float *bias, float *y, ptrdiff_t outHeight, ptrdiff_t outWidth, float *scratch, int32_t *cursor
) {
    const ptrdiff_t outPixels = outHeight * outWidth;
    // Input channels per slab: the slab of one tap's weights [channels, BLOCK] stays within
    // 32 KB, in a core's L1 cache while every output pixel adds its ones from it.
    const ptrdiff_t slab = (32768 / (BLOCK * (ptrdiff_t)sizeof(float))) < channels
        ? 32768 / (BLOCK * (ptrdiff_t)sizeof(float)) : channels;
    for (ptrdiff_t block = 0; block < outChannels; block += BLOCK) {
        const ptrdiff_t n = outChannels - block < BLOCK ? outChannels - block : BLOCK;
        // scratch [Ho·Wo, BLOCK]: the sums of this block of output channels, channels-last.
        for (ptrdiff_t p = 0; p < outPixels; p++) {
            for (ptrdiff_t j = 0; j < n; j++) scratch[p * BLOCK + j] = bias ? bias[block + j] : 0.0f;
        }
        for (ptrdiff_t ky = 0; ky < kernel; ky++) {
            for (ptrdiff_t kx = 0; kx < kernel; kx++) {
                const float *tap = wt + (ky * kernel + kx) * channels * outChannels + block;
                // cursor[p]: the next entry of pixel p's list, so that slabs take channels in order.
                for (ptrdiff_t p = 0; p < height * width; p++) cursor[p] = pixelStart[p];
                for (ptrdiff_t low = 0; low < channels; low += slab) {
                    const int32_t high = (int32_t)(low + slab);
                    for (ptrdiff_t oy = 0; oy < outHeight; oy++) {
                        const ptrdiff_t iy = oy * stride - padding + ky;
                        if (iy < 0 || iy >= height) continue;
                        for (ptrdiff_t ox = 0; ox < outWidth; ox++) {
                            const ptrdiff_t ix = ox * stride - padding + kx;
                            if (ix < 0 || ix >= width) continue;
                            const ptrdiff_t pixel = iy * width + ix;
                            int32_t k = cursor[pixel];
                            const int32_t end = pixelStart[pixel + 1];
                            if (k == end || pixelChannels[k] >= high) continue;
                            float *sum = scratch + (oy * outWidth + ox) * BLOCK;
                            if (n == BLOCK) {
                                LOAD_BLOCK(sum)
                                for (; k < end && pixelChannels[k] < high; k++) {
                                    ADD_BLOCK(tap + (ptrdiff_t)pixelChannels[k] * outChannels)
                                }
                                STORE_BLOCK(sum)
                            } else {
                                for (; k < end && pixelChannels[k] < high; k++) {
                                    const float *row = tap + (ptrdiff_t)pixelChannels[k] * outChannels;
                                    for (ptrdiff_t j = 0; j < n; j++) sum[j] += row[j];
                                }
                            }
                            // Within one tap an input pixel meets one output pixel at most.
                            cursor[pixel] = k;
                        }
                    }
                }
            }
        }
        // scratch [Ho·Wo, BLOCK] -> y [block..<block + n, Ho·Wo], in tiles of 16 pixels.
        for (ptrdiff_t p0 = 0; p0 < outPixels; p0 += 16) {
            const ptrdiff_t p1 = p0 + 16 < outPixels ? p0 + 16 : outPixels;
            for (ptrdiff_t j = 0; j < n; j++) {
                float *out = y + (block + j) * outPixels;
                for (ptrdiff_t p = p0; p < p1; p++) out[p] = scratch[p * BLOCK + j];
            }
        }
    }
}

CLONES
void stbp_event_conv2d_weight_gradient(
    const int32_t *channelStart, const int32_t *channelCoordinates, ptrdiff_t channels, const float *gradient,
    ptrdiff_t outChannels, ptrdiff_t kernel, ptrdiff_t stride, ptrdiff_t padding, ptrdiff_t outHeight,
    ptrdiff_t outWidth, float *gradWeight
) {
    for (ptrdiff_t c = 0; c < channels; c++) {
        const int32_t first = channelStart[c], last = channelStart[c + 1];
        if (first == last) continue;
        for (ptrdiff_t ky = 0; ky < kernel; ky++) {
            for (ptrdiff_t kx = 0; kx < kernel; kx++) {
                float *target = gradWeight + ((ky * kernel + kx) * channels + c) * outChannels;
                for (ptrdiff_t block = 0; block < outChannels; block += BLOCK) {
                    const ptrdiff_t n = outChannels - block < BLOCK ? outChannels - block : BLOCK;
                    float tail[BLOCK] = {0};
                    const v16u zero = 0;
                    v16u a0 = zero, a1 = zero, a2 = zero, a3 = zero;
                    for (int32_t k = first; k < last; k++) {
                        // The spike at (iy, ix) meets tap (ky, kx) at output (oy, ox) with
                        // oy · stride = iy + padding - ky.
                        const ptrdiff_t sy = (channelCoordinates[k] >> 16) + padding - ky;
                        const ptrdiff_t sx = (channelCoordinates[k] & 0xffff) + padding - kx;
                        if (sy < 0 || sx < 0) continue;
                        if (stride != 1 && (sy % stride || sx % stride)) continue;
                        const ptrdiff_t oy = stride == 1 ? sy : sy / stride, ox = stride == 1 ? sx : sx / stride;
                        if (oy >= outHeight || ox >= outWidth) continue;
                        const float *row = gradient + (oy * outWidth + ox) * outChannels + block;
                        if (n == BLOCK) {
                            ADD_BLOCK(row)
                        } else {
                            for (ptrdiff_t j = 0; j < n; j++) tail[j] += row[j];
                        }
                    }
                    if (n == BLOCK) {
                        ADD_BLOCK(target + block)
                        STORE_BLOCK(target + block)
                    } else {
                        for (ptrdiff_t j = 0; j < n; j++) target[block + j] += tail[j];
                    }
                }
            }
        }
    }
}
