#!/bin/sh
# Print an include folder with Vulkan headers new enough for llama.cpp's Vulkan backend.
#     sh packaging/linux/vulkan-headers.sh DEST
# The system's headers when they are new enough (they declare VkLayerSettingEXT, which ggml-vulkan uses).
# Debian 12's libvulkan-dev (1.3.239) is too old; the headers of Debian 13's libvulkan-dev (1.4.309) work
# with Debian 12's loader. This fetches that one package with `apt-get download`, from a sources list of
# its own (the system's apt sources and state are not touched), and unpacks it under DEST.
set -eu
DEST=${1:?usage: vulkan-headers.sh DEST}
for inc in /usr/include "$DEST/usr/include"; do
  if grep -qs VkLayerSettingEXT "$inc/vulkan/vulkan_core.h"; then echo "$inc"; exit 0; fi
done
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
  echo "The Vulkan headers are too old or missing, and this is not Debian: install the Vulkan SDK." >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
echo "deb http://deb.debian.org/debian trixie main" > "$work/sources.list"
set -- -o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=-" \
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o "Debug::NoLocking=1" \
  -o "APT::Architectures=$(dpkg --print-architecture)" -o "APT::Sandbox::User=$(id -un)"
apt-get -qq "$@" update >&2
(cd "$work" && apt-get -qq "$@" download libvulkan-dev >&2)
mkdir -p "$DEST"
dpkg-deb -x "$work"/libvulkan-dev_*.deb "$DEST"
grep -qs VkLayerSettingEXT "$DEST/usr/include/vulkan/vulkan_core.h" || {
  echo "The fetched libvulkan-dev has no VkLayerSettingEXT either." >&2; exit 1; }
echo "$DEST/usr/include"
