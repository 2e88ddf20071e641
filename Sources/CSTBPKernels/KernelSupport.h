// What the kernels share. CLONES builds a function for AVX-512 (x86-64-v4), AVX2 (x86-64-v3)
// and baseline x86-64, the widest the CPU runs picked when the library loads; elsewhere it is
// built once for the target. v16u is 16 floats loaded and stored at any float's address (one
// AVX-512 register, two AVX2 or four SSE registers, whichever clone runs).
#ifndef STBP_KERNEL_SUPPORT_H
#define STBP_KERNEL_SUPPORT_H

#if defined(__x86_64__)
#define CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CLONES
#endif

typedef float v16u __attribute__((ext_vector_type(16), aligned(4), may_alias));

#endif
