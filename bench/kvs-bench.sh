#!/usr/bin/env bash
# Weft KVS (in process, over its network server, and on etcd through weft-kvs-etcd) vs raw jetcd on
# etcd: durable 100-byte puts/s (1, 8, 64 clients) and watch latency, in one run.
# Installs etcd (Debian package etcd-server) when missing; KvsBench starts it on loopback with a
# temporary data directory and default (fsync) durability, and stops it afterwards.
# Also the cost of TLS: the Weft server and raw jetcd on etcd again over TLS (a keytool-made
# self-signed certificate); --no-tls skips those cases, --clients 64 runs one client count only.
# The Weft server's selector uses the epoll backend (see the java command below).
# Usage: bench/kvs-bench.sh [--seconds 5] [--runs 3] [--clients 1,8,64] [--no-etcd] [--no-tls]
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v etcd >/dev/null && [[ " $* " != *" --no-etcd "* ]]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq etcd-server etcd-client
fi
# Compile in the reactor so the classpath points at this checkout's modules, not at ~/.m2.
mkdir -p bench/target
# test-compile, not compile: kvs-etcd resolves the kvs test-jar (its contract tests) from the reactor.
mvn -B -q -pl bench -am test-compile dependency:build-classpath -Dmdep.outputFile="$PWD/bench/target/kvs-bench.cp"
JAVA="${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"
[ -x "$JAVA" ] || JAVA=java
# The Weft server runs in this JVM: give its selector service the epoll backend (docs/selector.md),
# as bin/weft does. From class directories that takes the runtime's JDK 22 classes on the class path
# (a jar finds them in META-INF/versions/22 by itself) and the two flags; the run prints which
# backend it got.
exec "$JAVA" -Xmx1g --enable-native-access=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED \
  -cp "bench/target/classes:$(cat bench/target/kvs-bench.cp):runtime/target/classes/META-INF/versions/22" \
  dev.weft.bench.kvs.KvsBench "$@"
