# bench/lib.sh - shared by the benchmark scripts: the machine they ran on.
machine() {
	echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(free -g | awk '/^Mem:/ { print $2 " GiB" }'), $(uname -sr)"
	echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "revcast: $("$REVCAST" --version)"
}
: "${REVCAST:=$PWD/revcast}"
