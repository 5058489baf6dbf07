#!/usr/bin/env bash
# Runs Weft's benchmarks against their peers on a JDK 21 or newer and prints Markdown tables of
# medians and ratios. Each case runs in fresh JVMs; builds bench/target/weft-bench.jar first if needed.
#   bench/run.sh                          all four benchmarks, 3 fresh JVMs per peer
#   bench/run.sh --forks 5 --only ping-pong,fan-in
#   bench/run.sh jmh PingPongJmh          the JMH benchmarks (any JMH options)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/bench/target/weft-bench.jar"

java_major() { "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1; }

find_java() {
  local candidate
  for candidate in ${WEFT_JAVA:-} ${JAVA_HOME:+$JAVA_HOME/bin/java} $(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | sort -rV) $(command -v java || true); do
    if [ -x "$candidate" ] && [ "$(java_major "$candidate")" -ge 21 ] 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "bench: no JDK 21 or newer found (set WEFT_JAVA or JAVA_HOME)" >&2
  return 1
}

if [ ! -f "$jar" ]; then
  echo "bench: building $jar (mvn -q -DskipTests -pl bench -am package)..." >&2
  (cd "$root" && mvn -B -q -DskipTests -pl bench -am package)
fi
if [ "${1:-}" = jmh ]; then
  exec "$(find_java)" -jar "$jar" "$@"
fi
exec "$(find_java)" -jar "$jar" run "$@"
