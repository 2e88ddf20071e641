#!/usr/bin/env bash
# Installs the system libraries swift-stbp links against, when they are missing:
#   libopenblas-dev  OpenBLAS: CBLAS sgemm for convolution and dense layers (pkg-config "openblas")
#   liblapacke-dev   LAPACKE: the QR factorisation behind orthogonal initialisation
#   zlib1g-dev       zlib: reading gzipped IDX files (MNIST, Fashion-MNIST)
#   libhdf5-dev      HDF5: NIR files (stbp export / import), pkg-config "hdf5"
#   pkg-config       lets SwiftPM find OpenBLAS's headers and library
# With --mpi, also Open MPI, for data-parallel training (swift build --traits MPI; Docs/Distributed.md):
#   libopenmpi-dev   mpi.h and libmpi (pkg-config "ompi-c")
#   openmpi-bin      mpirun
# Debian and Ubuntu only (apt-get); runs apt-get through sudo when not root.
set -euo pipefail

packages=(libopenblas-dev liblapacke-dev zlib1g-dev libhdf5-dev pkg-config)
for argument in "$@"; do
    case "$argument" in
        --mpi) packages+=(libopenmpi-dev openmpi-bin) ;;
        *) echo "setup.sh: unknown option $argument (expected --mpi)" >&2; exit 2 ;;
    esac
done
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null; then
    echo "setup.sh: missing ${missing[*]}, and this system has no apt-get; install them with your package manager." >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "Installing ${missing[*]}"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
