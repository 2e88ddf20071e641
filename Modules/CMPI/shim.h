// Open MPI's C interface (Debian/Ubuntu: libopenmpi-dev, pkg-config "ompi-c"), and functions
// for the handles Open MPI defines as macros over its global objects, which Swift cannot
// import: the world communicator, the datatypes and operation used, MPI_IN_PLACE and the null
// request. Also the number of cores the process is bound to (CPU_COUNT is a macro too).
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sched.h>
#include <mpi.h>

static inline MPI_Comm cmpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype cmpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype cmpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype cmpi_byte(void) { return MPI_BYTE; }
static inline MPI_Op cmpi_sum(void) { return MPI_SUM; }
static inline void *cmpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Request cmpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline MPI_Errhandler cmpi_errors_return(void) { return MPI_ERRORS_RETURN; }

// The CPUs in this process's affinity mask (what mpirun's binding leaves it), or 0 on failure.
static inline int cmpi_bound_cores(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return 0;
    return CPU_COUNT(&set);
}
