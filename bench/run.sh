#!/usr/bin/env bash
# Runs Weft's benchmarks against their peers on a JDK 21 or newer and prints Markdown tables of
# medians and ratios. Each case runs in fresh JVMs. Builds bench/target/weft-bench.jar first when it
# is missing or a source of the modules it holds changed (mvn -pl bench -am).
#   bench/run.sh                          all four benchmarks, 3 fresh JVMs per peer
#   bench/run.sh --forks 5 --only ping-pong,fan-in
#   bench/run.sh jmh PingPongJmh          the JMH benchmarks (any JMH options)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/bench/target/weft-bench.jar"
. "$root/bin/lib/launcher.sh"

ensure_jar "$root" "$jar" bench runtime actors kvs bench
if [ "${1:-}" = jmh ]; then
  exec "$(find_java)" -jar "$jar" "$@"
fi
exec "$(find_java)" -jar "$jar" run "$@"
