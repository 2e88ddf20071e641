// The LIF neuron's loops over the neurons of one step (`LIFKernel`), left to the compiler to
// vectorise for each clone. Contraction into fused multiply-adds is off, so that the spikes and
// gradients equal, bit for bit, those of the same formulas in separate multiplications and
// additions (the tape's step-by-step ops, and the Swift loop of the other surrogate curves).

#include "CSTBPKernels.h"

#pragma clang fp contract(off)

#include "KernelSupport.h"

CLONES
ptrdiff_t stbp_lif_step(
    const float *input, const float *previous, float *u, float *o, ptrdiff_t n, float decay, float threshold
) {
    // An int count vectorises; n < 2^31 neurons per call.
    int count = 0;
    // decay · u · (1 - o) is decay · u when o = 0 and 0 when o = 1 (o = u > threshold). The
    // in-place update has its own loop: `previous` and `u` overlapping would fail the
    // vectoriser's alias check and run the scalar loop.
#define FIRE(expression)                          \
    {                                             \
        const float value = (expression);         \
        u[i] = value;                             \
        const int fired = value > threshold;      \
        o[i] = (float)fired;                      \
        count += fired;                           \
    }
    if (previous == u) {
        for (ptrdiff_t i = 0; i < n; i++) {
            const float last = u[i], factor = last > threshold ? 0.0f : decay;
            FIRE(factor * last + input[i])
        }
    } else if (previous) {
        for (ptrdiff_t i = 0; i < n; i++) {
            const float last = previous[i], factor = last > threshold ? 0.0f : decay;
            FIRE(factor * last + input[i])
        }
    } else {
        for (ptrdiff_t i = 0; i < n; i++) { FIRE(input[i]) }
    }
#undef FIRE
    return count;
}

CLONES
void stbp_lif_delta_rectangular(
    const float *g, const float *u, float *next, float *out, bool accumulate, ptrdiff_t n, float decay,
    float resetDecay, float threshold, float width
) {
    const float half = width / 2, height = 1 / width;
    // h(u) = (1/a) · 1[|u - V| < a/2]; decay · (1 - o) as a select.
#define DELTA                                                                   \
    const float potential = u[i], later = next[i];                              \
    const float keep = potential > threshold ? 0.0f : decay;                    \
    const float distance = __builtin_fabsf(potential - threshold);              \
    const float h = distance < half ? height : 0.0f;                            \
    const float delta = (g[i] - resetDecay * potential * later) * h + keep * later; \
    next[i] = delta;
    if (accumulate) {
        for (ptrdiff_t i = 0; i < n; i++) { DELTA out[i] += delta; }
    } else {
        for (ptrdiff_t i = 0; i < n; i++) { DELTA out[i] = delta; }
    }
#undef DELTA
}
