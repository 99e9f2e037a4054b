#!/bin/sh
# What only `make test` needs, not the app:
# - shellcheck (Debian), which actionlint runs on the workflows' shell steps;
# - wine with its 32-bit half (Debian, i386 added as a foreign architecture): Inno Setup's compiler and the
#   installers it makes are 32-bit Windows programs; tests/test_package_windows.py runs them;
# - Inno Setup's compiler itself, from npm at the version packaging/windows/package-lock.json locks, into
#   packaging/windows/node_modules.
# Only what is missing is installed. What cannot be installed (no root, not Debian on x86-64, no npm) is
# said in one line and skipped: the installer test then skips with one line too.
set -eu
cd "$(dirname "$0")/../.."

installed() {
  for p in "$@"; do
    case "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" in
      *"install ok installed"*) ;;
      *) return 1 ;;
    esac
  done
}

apt_tools() {
  command -v dpkg-query >/dev/null 2>&1 || { echo "test tools: not a Debian-like system, wine and shellcheck are not installed"; return 0; }
  want_wine=yes
  [ "$(dpkg --print-architecture)" = amd64 ] || { echo "test tools: wine runs Inno Setup only on x86-64; the installer test will skip"; want_wine=no; }
  need=""
  installed shellcheck || need="shellcheck"
  if [ $want_wine = yes ] && ! installed wine wine64 wine32:i386; then need="$need wine"; fi
  [ -z "$need" ] && return 0
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "test tools: not root, please run: apt-get install shellcheck wine wine32:i386 wine64 (after dpkg --add-architecture i386)"
    return 0
  fi
  export DEBIAN_FRONTEND=noninteractive
  case "$need" in *wine*)
    dpkg --print-foreign-architectures | grep -qx i386 || $SUDO dpkg --add-architecture i386 ;;
  esac
  echo "Installing test tools:$need"
  $SUDO apt-get update -qq || true
  if ! installed shellcheck; then
    $SUDO apt-get install -y -qq --no-install-recommends shellcheck >/dev/null 2>&1 ||
      echo "test tools: shellcheck could not be installed; actionlint checks the workflows without it"
  fi
  case "$need" in *wine*)
    $SUDO apt-get install -y -qq --no-install-recommends wine wine64 wine32:i386 >/dev/null 2>&1 ||
      echo "test tools: wine could not be installed; the Windows installer test will skip" ;;
  esac
}

npm_tools() {
  lock=packaging/windows/package-lock.json
  stamp=packaging/windows/node_modules/.package-lock.json
  [ -n "$(find "$stamp" -newer "$lock" 2>/dev/null)" ] && return 0
  if ! command -v npm >/dev/null 2>&1; then
    echo "test tools: npm is missing, so Inno Setup is not installed; the Windows installer test will skip"
    return 0
  fi
  npm ci --prefix packaging/windows --no-audit --no-fund --loglevel=error >/dev/null ||
    echo "test tools: npm could not install Inno Setup; the Windows installer test will skip"
}

apt_tools
npm_tools
