#!/usr/bin/env bash
# Installs every build and test dependency of MoSAiC from Debian 12's archive.
# Idempotent: when everything is already installed it changes nothing and
# needs no network. Run as root (or with sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang-format
  clang libclang-rt-14-dev          # libFuzzer targets (fuzz/, scripts/fuzz.sh)
  libtorch-dev                      # LibTorch 1.13 (CPU)
  libgloo-dev                       # Gloo headers: data-parallel training (c10d)
  libgdal-dev gdal-bin libproj-dev  # geo layer, GDAL plugin, GDAL tools for tests
  nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3-gdal python3-torch python3-torchvision  # independent references in tests
  libqgis-dev qgis qgis-providers python3-qgis  # QGIS Processing provider, qgis_process, desktop
  xvfb xauth                        # QGIS desktop under Xvfb (toolbox screenshot test)
)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-debian: all ${#packages[@]} packages already installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
echo "setup-debian: installing ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
