#!/usr/bin/env bash
# Installs the Temporal CLI (dev server + UI) and the Java time-skipping test server into a cache
# outside the repo, so a fresh clone on the same machine reuses them. Idempotent; prints progress.
#   TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH   use these instead (nothing is installed)
#   SANXIANG_TOOLS_DIR                               cache location (default ~/.cache/sanxiang-tools)
# Without Go or Maven it installs nothing: the SDK then downloads its own binaries (needs internet).
#
#   install-tools.sh temporal-server   instead: the production Temporal server, its SQL schema tool
#                                      and schema files (npm run prod-like); needs Go; ~10 min once
set -euo pipefail

TOOLS_DIR="${SANXIANG_TOOLS_DIR:-$HOME/.cache/sanxiang-tools}"
TEMPORAL_CLI_VERSION="v1.5.1"           # newer tags carry a replace directive: not go-installable
TEST_SERVER_VERSION="1.32.1"            # io.temporal:temporal-test-server
TEMPORAL_SERVER_VERSION="v1.29.1"       # go.temporal.io/server: the version the CLI above embeds
say() { printf '[tools] %s\n' "$*" >&2; }
mkdir -p "$TOOLS_DIR"

# Concurrent runs (CI and a developer, two npm scripts) must not build twice. The server build has
# its own lock, so that its minutes never hold up a test run.
exec 9>"$TOOLS_DIR/.lock${1:+-$1}"
flock 9

install_temporal_cli() {
  if [ -n "${TEMPORAL_CLI_PATH:-}" ]; then say "Temporal CLI: using TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH"; return; fi
  local bin="$TOOLS_DIR/temporal-$TEMPORAL_CLI_VERSION/temporal"
  if [ -x "$bin" ]; then say "Temporal CLI $TEMPORAL_CLI_VERSION: cached at $bin"; return; fi
  if ! command -v go >/dev/null 2>&1; then say "Temporal CLI: no Go toolchain; the dev server will be downloaded by the SDK"; return; fi
  say "Temporal CLI $TEMPORAL_CLI_VERSION: building with go install (several minutes, once)..."
  local tmp="$TOOLS_DIR/temporal-$TEMPORAL_CLI_VERSION.tmp"
  rm -rf "$tmp"; mkdir -p "$tmp"
  GOBIN="$tmp" GOFLAGS=-buildvcs=false go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION"
  rm -rf "$(dirname "$bin")"; mv "$tmp" "$(dirname "$bin")"
  say "Temporal CLI: installed at $bin"
}

install_test_server() {
  if [ -n "${TEMPORAL_TEST_SERVER_PATH:-}" ]; then say "test server: using TEMPORAL_TEST_SERVER_PATH=$TEMPORAL_TEST_SERVER_PATH"; return; fi
  local dir="$TOOLS_DIR/temporal-test-server-$TEST_SERVER_VERSION"
  if [ -x "$dir/temporal-test-server" ] && [ -f "$dir/.complete" ]; then say "test server $TEST_SERVER_VERSION: cached at $dir"; return; fi
  if ! command -v mvn >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1; then
    say "test server: no Maven/Java; the SDK will download its own test server"; return
  fi
  say "test server $TEST_SERVER_VERSION: resolving io.temporal:temporal-test-server with Maven..."
  local tmp="$dir.tmp"
  rm -rf "$tmp"; mkdir -p "$tmp/lib"
  cat > "$tmp/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.sanxiang</groupId><artifactId>test-server-deps</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>$TEST_SERVER_VERSION</version></dependency>
  </dependencies>
</project>
POM
  (cd "$tmp" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=lib)
  # exec: the SDK kills the process it started; without exec it would kill only this shell and
  # the JVM would outlive the test run. The JVM flags cut start-up time (see README, "test server").
  cat > "$tmp/temporal-test-server" <<'WRAP'
#!/usr/bin/env bash
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -XX:SharedArchiveFile="$here/app-cds.jsa" \
  -cp "$here/lib/*" io.temporal.testserver.TestServer "$@"
WRAP
  chmod +x "$tmp/temporal-test-server"
  rm -rf "$dir"; mv "$tmp" "$dir"
  build_class_archive "$dir"   # in its final place: the archive records the class path
  touch "$dir/.complete"
  say "test server: installed at $dir"
}

# An AppCDS archive of the classes the server loads at start: measured on 2 loaded cores, start to
# listening drops from ~2.4-3.3 s to ~1.0 s, well inside the SDK's ~5 s readiness window.
build_class_archive() {
  local dir="$1" port=$((20000 + RANDOM % 20000))
  say "test server: recording a class-data archive for fast JVM start..."
  java -XX:ArchiveClassesAtExit="$dir/app-cds.jsa" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -cp "$dir/lib/*" io.temporal.testserver.TestServer "$port" >"$dir/cds.log" 2>&1 &
  local pid=$! waited=0
  until (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    sleep 0.2; waited=$((waited + 1))
    if [ "$waited" -gt 300 ]; then say "test server: did not start for the archive; continuing without it"; kill "$pid" 2>/dev/null; return; fi
  done
  sleep 1; kill "$pid"; wait "$pid" 2>/dev/null || true
}

# The production server (temporal-server) and temporal-sql-tool, built from the module proxy like
# the CLI (no binary downloads), plus the PostgreSQL schema files the SQL tool applies (they ship in
# the server module). The CLI embeds this very server version, so the build reuses its compiled
# packages from Go's build cache.
install_temporal_server() {
  local dir="$TOOLS_DIR/temporal-server-$TEMPORAL_SERVER_VERSION"
  if [ -x "$dir/temporal-server" ] && [ -x "$dir/temporal-sql-tool" ] && [ -f "$dir/.complete" ]; then say "Temporal server $TEMPORAL_SERVER_VERSION: cached at $dir"; return; fi
  if ! command -v go >/dev/null 2>&1; then say "Temporal server: needs a Go toolchain (go install)"; return 1; fi
  say "Temporal server $TEMPORAL_SERVER_VERSION and SQL tool: building with go install (several minutes, once)..."
  local tmp="$dir.tmp"
  rm -rf "$tmp"; mkdir -p "$tmp"
  GOBIN="$tmp" GOFLAGS=-buildvcs=false go install "go.temporal.io/server/cmd/server@$TEMPORAL_SERVER_VERSION" "go.temporal.io/server/cmd/tools/sql@$TEMPORAL_SERVER_VERSION"
  mv "$tmp/server" "$tmp/temporal-server"; mv "$tmp/sql" "$tmp/temporal-sql-tool"
  local module
  module="$(go mod download -json "go.temporal.io/server@$TEMPORAL_SERVER_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  mkdir -p "$tmp/schema"
  cp -r "$module/schema/postgresql" "$tmp/schema/"
  chmod -R u+w "$tmp/schema"
  rm -rf "$dir"; mv "$tmp" "$dir"
  touch "$dir/.complete"
  say "Temporal server: installed at $dir"
}

case "${1:-}" in
  # chromium is for the browser test only: `npm test` runs scripts/install-chromium.sh itself.
  "") install_temporal_cli; install_test_server ;;
  temporal-server) install_temporal_server ;;
  *) say "unknown argument $1 (none, or temporal-server)"; exit 2 ;;
esac
