# Sourced by scripts/dev and scripts/test: a project-local Python venv with the
# pinned tools the stack and the tests need. Nothing is installed globally.
# Re-running is cheap: pip is skipped while the pins file is unchanged.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.venv"
PINS="$ROOT/scripts/lib/requirements.txt"

ensure_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating $VENV"
    python3 -m venv "$VENV"
  fi
  local stamp="$VENV/.pins.sha256"
  local want
  want="$(sha256sum "$PINS" | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "==> installing pinned tools into $VENV (moto[server], cfn-lint, cargo-lambda, aws-sam-cli)"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$PINS"
    echo "$want" > "$stamp"
  fi
  # Callers (a test with stub tools first on PATH) may have put it there already.
  case ":$PATH:" in
    *":$VENV/bin:"*) ;;
    *) export PATH="$VENV/bin:$PATH" ;;
  esac
  export MOTO_PYTHON="$VENV/bin/python"
}
