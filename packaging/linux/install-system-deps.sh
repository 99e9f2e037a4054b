#!/bin/sh
# Install the Debian/Ubuntu packages Qt (offscreen and X11) needs, the tools that build and check
# the .deb (dpkg-dev, binutils for PyInstaller, desktop-file-utils, appstream, xdg-utils, shared-mime-info
# and libfile-mimeinfo-perl, which xdg-mime asks for a file's type outside a desktop session), what builds
# llama.cpp with its Vulkan backend (cmake, g++, glslc, the Vulkan loader's development files and
# SPIR-V headers; packaging/linux/vulkan-headers.sh adds newer Vulkan headers when these are too old),
# and Mesa's Vulkan drivers (lavapipe: a Vulkan device on the CPU, for the tests), when they are missing.
# Prints the command instead when it cannot become root.
set -eu
command -v dpkg-query >/dev/null 2>&1 || exit 0   # not Debian-like: nothing to do here

PACKAGES="libegl1 libgl1 libopengl0 libglib2.0-0 libdbus-1-3 libfontconfig1 libfreetype6 libxkbcommon0
libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-randr0
libxcb-render-util0 libxcb-image0 libxcb-xinerama0 libxcb-xkb1 libx11-xcb1 fonts-dejavu-core
fonts-noto-core xvfb xauth
dpkg-dev binutils desktop-file-utils appstream xdg-utils shared-mime-info libfile-mimeinfo-perl
cmake g++ glslc libvulkan-dev spirv-headers libvulkan1 mesa-vulkan-drivers"

missing=""
for p in $PACKAGES; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0

echo "Installing system packages for Qt and packaging:$missing"
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
  echo "Please run as root: apt-get install -y$missing" >&2; exit 0
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
