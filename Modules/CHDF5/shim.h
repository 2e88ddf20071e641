// The system HDF5 C library (Debian/Ubuntu: libhdf5-dev, pkg-config "hdf5"), for NIR files.
// HDF5 defines its type, property-list and flag handles as macros that read globals after
// H5open(); Swift cannot import those, so these functions return them.
#include <hdf5.h>

static inline hid_t stbp_h5_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t stbp_h5_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t stbp_h5_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t stbp_h5_c_string(void) { return H5T_C_S1; }
static inline size_t stbp_h5_variable_size(void) { return H5T_VARIABLE; }
static inline hid_t stbp_h5_default(void) { return H5P_DEFAULT; }
static inline hid_t stbp_h5_all(void) { return H5S_ALL; }
static inline hid_t stbp_h5_dataset_create_class(void) { return H5P_DATASET_CREATE; }
static inline hid_t stbp_h5_file_access_class(void) { return H5P_FILE_ACCESS; }
static inline unsigned stbp_h5_read_only(void) { return H5F_ACC_RDONLY; }
static inline unsigned stbp_h5_truncate(void) { return H5F_ACC_TRUNC; }

/// Stops HDF5 from printing its error stack to stderr; errors are reported by return values.
static inline void stbp_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/// Frees the strings HDF5 allocated when it read variable-length strings into `buffer`.
static inline herr_t stbp_h5_reclaim(hid_t type, hid_t space, void *buffer) {
#if H5_VERSION_GE(1, 12, 0)
    return H5Treclaim(type, space, H5P_DEFAULT, buffer);
#else
    return H5Dvlen_reclaim(type, space, H5P_DEFAULT, buffer);
#endif
}
