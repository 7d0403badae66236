# netmon build. Quiet unless V=1.
#   make deps    install what is missing (apt), idempotent and fast once done
#   make build   BPF object + jar; then bin/netmon ARGS runs from the checkout
#   make run     build and trace the whole host (needs root)
#   make dist    self-contained target/dist/netmon-VERSION/ and its tarball (needs root: AOT training run)
#   make test    unit tests, then the privileged integration tests (real BPF)
#   make bench   load, CPU, memory and start-up numbers of the distribution against their targets (root; about 6 minutes)
Q := $(if $(V),,@)
SHELL := /bin/bash

# The default java here is 17; netmon needs 25 (FFM). Take JAVA_HOME if it is 25, else the first JDK 25 found.
JAVA_HOME := $(shell bin/find-jdk25 2>/dev/null)
export JAVA_HOME
# Maven 3.8 uses sun.misc.Unsafe through guava; JDK 25 warns about it on every run.
export MAVEN_OPTS ?= --sun-misc-unsafe-memory-access=allow
MVN := mvn -B --no-transfer-progress $(if $(V),,-q)
# Tests always print Surefire's and Failsafe's summaries: CI reads them.
MVN_TEST := mvn -B --no-transfer-progress

APT_PACKAGES := clang llvm libbpf-dev libbpf1 bpftool iproute2 util-linux sudo
# The CRI integration test runs a private containerd with images built from busybox-static; the README
# recipe test runs every jq recipe.
TEST_APT_PACKAGES := containerd runc containernetworking-plugins busybox-static jq
# The benchmark compares netmon with bpftrace on the same tracepoints under the same load.
BENCH_APT_PACKAGES := bpftrace
BPF_OUT := target/bpf
BPF_OBJ := $(BPF_OUT)/netmon.bpf.o
# The same programs reading sockets through bpf_rdonly_cast() (kernel 6.2+); netmon loads one of the two.
BPF_CAST_OBJ := $(BPF_OUT)/netmon-cast.bpf.o
BPF_OBJS := $(BPF_OBJ) $(BPF_CAST_OBJ)
BPF_CFLAGS = -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(BPF_OUT) -Ibpf -Wall -Werror
BPF_SRC := bpf/netmon.bpf.c $(wildcard bpf/*.h)
JAR := target/netmon.jar
BENCH_OUT := target/bench
LOADGEN := $(BENCH_OUT)/loadgen
BENCH_CLASSPATH := $(BENCH_OUT)/classpath
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

.PHONY: all deps test-deps bench-deps build bpf run test unit-test bench bench-prepare bench-soak clean check-jdk dist
all: build

# apt-install what of $(1) is missing; a no-op (one dpkg-query) once everything is there.
define apt_install
	$(Q)missing=$$(for p in $(1); do \
	    [ "$$(dpkg-query -W -f='$${Status}' $$p 2>/dev/null)" = "install ok installed" ] || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  [ "$$(id -u)" = 0 ] || { echo "netmon: run 'sudo make deps' once to install:" $$missing >&2; exit 1; }; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

deps:
	$(call apt_install,$(APT_PACKAGES))

test-deps: deps
	$(call apt_install,$(TEST_APT_PACKAGES))

bench-deps: deps
	$(call apt_install,$(BENCH_APT_PACKAGES))

check-jdk:
	$(Q)[ -n "$(JAVA_HOME)" ] || { echo "netmon: no JDK 25 found; install Temurin 25 under /usr/lib/jvm or set JAVA_HOME" >&2; exit 1; }

# vmlinux.h comes from the running kernel's BTF; CO-RE relocations make the object portable anyway.
$(BPF_OUT)/vmlinux.h:
	$(Q)mkdir -p $(BPF_OUT)
	$(Q)bpftool btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

$(BPF_CAST_OBJ): BPF_VARIANT := -DNETMON_CAST
$(BPF_OBJS): $(BPF_SRC) $(BPF_OUT)/vmlinux.h
	$(Q)clang $(BPF_CFLAGS) $(BPF_VARIANT) -c bpf/netmon.bpf.c -o $@.tmp
	$(Q)mv $@.tmp $@

bpf: deps $(BPF_OBJS)

$(JAR): $(BPF_OBJS) pom.xml $(shell find src/main -type f 2>/dev/null)
	$(Q)$(MVN) -DskipTests package
	$(Q)touch $@

build: deps check-jdk $(JAR)

# --- the self-contained distribution ---------------------------------------------------------------------
VERSION := $(shell sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)
DIST := target/dist/netmon-$(VERSION)
# Outside the distribution, so that it is not shipped.
DIST_DONE := target/dist/.netmon-$(VERSION).done
TARBALL := target/netmon-$(VERSION)-linux-$(shell uname -m).tar.gz
# What jdeps finds in the jar and target/lib, less what is only behind optional code paths (jdeps lists
# java.desktop, java.sql, java.xml for Jackson's optional handlers, java.naming for grpc's JNDI DNS resolver and
# Netty's SSL, jdk.jfr for Netty's allocator events), checked by running: the DistIT traces and resolves through a
# CRI runtime with exactly these. java.base has the FFM API; java.logging is grpc's and Netty's logging;
# jdk.unsupported has sun.misc.Signal (netmon) and sun.misc.Unsafe (Netty, protobuf).
DIST_MODULES := java.base,java.logging,jdk.unsupported

$(DIST_DONE): $(JAR) src/dist/bin/netmon src/dist/app/jvm.options src/dist/train/train.sh src/dist/train/LoopbackTraffic.java
	$(Q)[ "$$(id -u)" = 0 ] || { echo "netmon: make dist trains the AOT cache on a real run, which loads BPF programs: run it as root" >&2; exit 1; }
	$(Q)rm -rf $(DIST) && mkdir -p $(DIST)/bin $(DIST)/app
	$(Q)$(JAVA_HOME)/bin/jlink --add-modules $(DIST_MODULES) --strip-debug --no-header-files --no-man-pages \
	    --output $(DIST)/runtime
	$(Q)cp $(JAR) $(DIST)/app/netmon.jar && cp -r target/lib $(DIST)/app/lib
	$(Q)cp src/dist/app/jvm.options $(DIST)/app/ && install -m 755 src/dist/bin/netmon $(DIST)/bin/netmon
	$(Q)[ ! -f target/bom.json ] || cp target/bom.json $(DIST)/bom.json
	$(Q)src/dist/train/train.sh $(DIST) $(JAVA_HOME)
	$(Q)tar -C target/dist -czf $(TARBALL) netmon-$(VERSION)
	$(Q)touch $@

dist: build $(DIST_DONE)

# stdout is netmon's JSON alone (sudo make run | jq): what installing and building print goes to stderr.
run:
	$(Q)$(MAKE) --no-print-directory build >&2
	$(Q)bin/netmon $(ARGS)

unit-test: test-deps check-jdk $(BPF_OBJS)
	$(Q)$(MVN_TEST) test

# Unit tests (surefire) then the privileged integration tests (failsafe, tag "privileged"); DistIT runs the
# distribution, so it is built first (about 15 s, nothing once it is up to date).
test: test-deps check-jdk $(BPF_OBJS) dist
	$(Q)[ "$$(id -u)" = 0 ] || { echo "netmon: make test loads BPF programs: run it as root (sudo make test)" >&2; exit 1; }
	$(Q)$(MVN_TEST) verify

$(LOADGEN): bench/loadgen.c
	$(Q)mkdir -p $(BENCH_OUT)
	$(Q)clang -O2 -Wall -Wextra -Werror -pthread $< -o $@

# The bench runner lives with the tests (it shares their helpers); JMH's harness is generated at test-compile.
# It runs outside Maven on the test classpath, so that Maven's own JVM is not part of what is measured, with
# SerialGC so that its own GC threads take little from the two cores it shares with the storm.
# JMH 1.37 reads fields through sun.misc.Unsafe, which JDK 25 warns about unless allowed.
# netmon itself is measured as it ships, from the distribution; BENCH_LAUNCHER=checkout measures bin/netmon.
BENCH_LAUNCHER_PATH = $(if $(filter checkout,$(BENCH_LAUNCHER)),$(CURDIR)/bin/netmon,$(CURDIR)/$(DIST)/bin/netmon)
BENCH_JAVA = $(JAVA_HOME)/bin/java -XX:+UseSerialGC --sun-misc-unsafe-memory-access=allow \
	-cp target/test-classes:target/classes:$$(cat $(BENCH_CLASSPATH)) -Dnetmon.home=$(CURDIR) \
	-Dnetmon.launcher=$(BENCH_LAUNCHER_PATH) dev.netmon.bench.BenchMain

bench-prepare: bench-deps dist $(LOADGEN)
	$(Q)[ "$$(id -u)" = 0 ] || { echo "netmon: make bench loads BPF programs: run it as root (sudo make bench)" >&2; exit 1; }
	$(Q)mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing
	$(Q)$(MVN) -DskipTests test-compile dependency:build-classpath -Dmdep.includeScope=test \
	    -Dmdep.outputFile=$(BENCH_CLASSPATH)

# Prints tables of numbers and targets (PASS/MISS); never fails on them. BENCH_SOAK=1 adds the soak; see
# src/test/java/dev/netmon/bench/Settings.java for the other knobs.
bench: bench-prepare
	$(Q)$(BENCH_JAVA)

# netmon's RSS every 5 s over a storm of BENCH_SOAK_SECONDS (300); then the attribution caches under a churn of
# thousands of container ids (a real CRI client against an in-process runtime), heap and RSS sampled, in a JVM
# with the distribution's options: the caches at their bounds must fit the heap netmon ships with.
bench-soak: bench-prepare
	$(Q)$(BENCH_JAVA) soak
	$(Q)$(JAVA_HOME)/bin/java @src/dist/app/jvm.options -cp target/test-classes:target/classes:$$(cat $(BENCH_CLASSPATH)) \
	    dev.netmon.bench.CacheChurnSoak $${BENCH_SOAK_SECONDS:-300}

clean:
	$(Q)rm -rf target
