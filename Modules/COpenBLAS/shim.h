// OpenBLAS's CBLAS interface and the LAPACKE C interface to LAPACK.
// Debian/Ubuntu: libopenblas-dev provides cblas.h (through pkg-config "openblas"),
// liblapacke-dev provides lapacke.h.
#include <cblas.h>
#include <lapacke.h>
