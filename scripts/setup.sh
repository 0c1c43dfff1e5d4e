#!/usr/bin/env bash
# Installs whatever is missing, idempotently: Debian packages (headless-gl's build and
# runtime, Xvfb; with --browser Chromium and the Vulkan loader, whose SwiftShader driver the
# browser test and the webgpu backend run on), npm dependencies (gl builds from source; the
# optional webgpu package is Dawn's prebuilt Node binding), and the library build (dist/).
# Run as root on Debian. Usage: scripts/setup.sh [--browser]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(python3 make g++ pkg-config libx11-dev libxi-dev libxext-dev libgl1-mesa-dev libgl1-mesa-dri xvfb xauth)
if [[ "${1:-}" == "--browser" ]]; then packages+=(chromium libvulkan1); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} > 0 )); then
  echo "setup: installing Debian packages: ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then echo "setup: need root to apt-get install ${missing[*]}" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm dependencies: reinstall when package.json / the lockfile changed since the last install
stamp=node_modules/.sparsegrad-install-stamp
want=$(cat package.json package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" || ! -f node_modules/gl/build/Release/webgl.node ]]; then
  echo "setup: npm install (headless-gl builds from source; a few minutes the first time)"
  npm install --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

node scripts/build.mjs
