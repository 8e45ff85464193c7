#!/usr/bin/env bash
# Type-check the installed layout: mypy cannot follow setuptools' package-dir
# mapping, so build a tree of links that mirrors `plurisim` and check that.
set -euo pipefail
cd "$(dirname "$0")/.."
tree=build/typecheck
rm -rf "$tree" && mkdir -p "$tree/plurisim"
for f in simulator/*; do ln -s "$PWD/$f" "$tree/plurisim/$(basename "$f")"; done
ln -s "$PWD/agents" "$tree/plurisim/agents"
ln -s "$PWD/scenarios" "$tree/plurisim/scenarios"
cd "$tree"
exec "${MYPY:-../../.venv/bin/mypy}" --config-file ../../pyproject.toml -p plurisim "$@"
