# Shared by bin/weft and bench/run.sh (sourced, not run): find a JDK 21+ and keep a shaded jar fresh.

java_major() { "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1; }

# Prints a java of version 21 or newer: $WEFT_JAVA, $JAVA_HOME, the newest under /usr/lib/jvm, or PATH's.
find_java() {
  local candidate
  for candidate in ${WEFT_JAVA:-} ${JAVA_HOME:+$JAVA_HOME/bin/java} $(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | sort -rV) $(command -v java || true); do
    if [ -x "$candidate" ] && [ "$(java_major "$candidate")" -ge 21 ] 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "$(basename "$0"): no JDK 21 or newer found (set WEFT_JAVA or JAVA_HOME)" >&2
  return 1
}

# ensure_jar ROOT JAR MODULE DIR...: builds JAR with Maven (MODULE and the modules it needs, no tests)
# when it is missing, or when a pom.xml or a file under DIR/src/main of one of the DIRs (the modules
# whose code goes into the jar) is newer than it. Maven's output goes to stderr.
ensure_jar() {
  local root="$1" jar="$2" module="$3" why="" dir changed
  shift 3
  if [ ! -f "$jar" ]; then
    why="first use"
  else
    for dir in "$@"; do
      changed="$(find "$root/pom.xml" "$root/bom/pom.xml" "$root/$dir/pom.xml" "$root/$dir/src/main" -newer "$jar" -print -quit)"
      if [ -n "$changed" ]; then
        why="${changed#"$root"/} changed"
        break
      fi
    done
  fi
  [ -n "$why" ] || return 0
  local batch=(-B); [ -t 2 ] && batch=()
  echo "$(basename "$0"): building ${jar#"$root"/} ($why): mvn -Dmaven.test.skip=true -pl $module -am package" >&2
  (cd "$root" && mvn "${batch[@]}" -Dmaven.test.skip=true -pl "$module" -am package) >&2
}
