// The system zlib (Debian/Ubuntu: zlib1g-dev), used to read gzip-compressed data files.
#include <zlib.h>
