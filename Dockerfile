# syntax=docker/dockerfile:1
#
# netmon's container images. Written and reviewed, NOT built: the machine this was written on has no Docker engine
# and no GraalVM (README, "Container images"). Everything the stages run (make bpf, make build, make dist) is
# tested there; the native-image invocation and the final images are not.
#
#   docker buildx build --target jvm    --allow security.insecure -t netmon:0.1.0-jvm .
#   docker buildx build --target native                           -t netmon:0.1.0-native .
#
# Stages: bpf (a), build (b), native-build (c), dist, then the two images: jvm (d) and native.
#
# --allow security.insecure: the jvm image's AOT cache is trained on a real run of netmon, which loads BPF
# programs, so that one step runs privileged (RUN --security=insecure). The builder must allow it:
#   docker buildx create --use --buildkitd-flags '--allow-insecure-entitlement security.insecure'
#
# Both images run netmon as root with, in the DaemonSet, CAP_BPF and CAP_PERFMON only (SECURITY.md). They have no
# shell, no package manager and no compiler: distroless base (glibc, CA certificates, tzdata, /etc/passwd), plus
# libbpf and the two libraries it links (libelf, zlib) from the same Debian release.
#
# Pinning: Debian and Temurin by exact tag; distroless and GraalVM publish moving tags, so pin their digests on
# first build (docker buildx imagetools inspect IMAGE) by appending @sha256:... to the ARGs below.
ARG DEBIAN=debian:12.11-slim
ARG TEMURIN=eclipse-temurin:25.0.3_9-jdk-noble
ARG GRAALVM=ghcr.io/graalvm/native-image-community:25.0.1-ol9
ARG DISTROLESS=gcr.io/distroless/base-nossl-debian12:latest

FROM ${TEMURIN} AS temurin

# --- (a) the BPF object, with clang, as on a developer's machine: make bpf ---------------------------------------
FROM ${DEBIAN} AS bpf
WORKDIR /src
# make deps installs clang, llvm, libbpf-dev, libbpf1, bpftool from Debian (exact versions of Debian 12.11's
# archive at build time). vmlinux.h comes from the build host's /sys/kernel/btf/vmlinux; CO-RE relocations make
# the object run on any kernel with BTF.
COPY Makefile pom.xml ./
COPY bin/ bin/
COPY bpf/ bpf/
RUN make bpf

# --- (b) the jar and its libraries: make build ------------------------------------------------------------------
FROM bpf AS build
# The JDK 25 of the official Temurin image, where bin/find-jdk25 looks; Maven from Debian, as here.
COPY --from=temurin /opt/java/openjdk /usr/lib/jvm/temurin-25
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends maven=3.8.7-1 >/dev/null
COPY src/main/ src/main/
RUN --mount=type=cache,target=/root/.m2 make build

# --- (c) the native executable ----------------------------------------------------------------------------------
# How libbpf is linked: mostly static. Everything Java and every JDK library is compiled into the executable;
# glibc stays dynamic, and libbpf.so.1 is dlopen'ed at run time by SymbolLookup.libraryLookup, exactly as on the
# JVM (LibBpf is the same code, NETMON_LIBBPF still works). Not fully static because:
#  - a fully static executable means musl, and musl's static binaries cannot dlopen, so libbpf would have to be
#    linked in as libbpf.a and looked up in the executable itself: LibBpf would change, and native image does
#    not offer Linker.defaultLookup() in static executables;
#  - libbpf.a needs libelf.a and libz.a built against musl too (Debian ships none), so the build would compile
#    elfutils from source;
#  - the gain is small here: the image needs a C library anyway for nothing else, and a distroless glibc base
#    is as small as scratch plus three libraries.
# So the native image carries libbpf.so.1, libelf.so.1 and libz.so.1 beside it, like the jvm image. Its glibc
# (Debian 12: 2.36) must be at least the builder's (Oracle Linux 9: 2.34).
FROM ${GRAALVM} AS native-build
WORKDIR /src
COPY --from=build /src/target/netmon.jar target/netmon.jar
COPY --from=build /src/target/lib/ target/lib/
# reachability-metadata.json and native-image.properties come with the jar (META-INF/native-image/dev.netmon).
# --static-nolibc is GraalVM's "mostly static" mode; it links zlib and libstdc++ statically, which the
# native-image-community images provide (if the link step reports one missing, that is where to look).
RUN native-image --no-fallback --static-nolibc -march=x86-64-v2 -H:+ReportExceptionStackTraces \
        -jar target/netmon.jar -o /out/netmon

# --- the dist (jvm) build: make dist, whose AOT training run needs BPF ------------------------------------------
FROM build AS dist
COPY src/dist/ src/dist/
# Privileged for this one step: the training run loads netmon's BPF programs (netmon mounts tracefs if needed).
RUN --security=insecure --mount=type=cache,target=/root/.m2 \
    make dist && cp -a target/dist/netmon-$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1) /opt/netmon

FROM scratch AS libs
# The shared libraries the final images add to distroless, from the same Debian release: libbpf1 1.1.2 (Debian
# 12), libelf1 0.188, zlib1g 1.2.13, as make deps installed them in the bpf stage.
COPY --from=bpf /usr/lib/x86_64-linux-gnu/libbpf.so.1* /usr/lib/x86_64-linux-gnu/libelf.so.1 \
     /usr/lib/x86_64-linux-gnu/libelf-0.188.so /usr/lib/x86_64-linux-gnu/libz.so.1* /out/

# --- (d) the jvm image ------------------------------------------------------------------------------------------
FROM ${DISTROLESS} AS jvm
COPY --from=libs /out/ /usr/lib/x86_64-linux-gnu/
COPY --from=dist /opt/netmon /opt/netmon
# What bin/netmon does, without a shell: the same JVM options (app/jvm.options, which the AOT cache was trained
# with), the AOT cache, the jar. COPY keeps the jars' modification times, which the cache checks; were they to
# differ, the JVM would start without the cache, slower but otherwise the same.
ENTRYPOINT ["/opt/netmon/runtime/bin/java", "@/opt/netmon/app/jvm.options", \
            "-XX:AOTCache=/opt/netmon/app/netmon.aot", "-jar", "/opt/netmon/app/netmon.jar"]
USER 0:0
LABEL org.opencontainers.image.title="netmon" \
      org.opencontainers.image.description="One JSON line per TCP/UDP connection, from eBPF; JVM build"

# --- the native image -------------------------------------------------------------------------------------------
FROM ${DISTROLESS} AS native
COPY --from=libs /out/ /usr/lib/x86_64-linux-gnu/
COPY --from=native-build /out/netmon /usr/local/bin/netmon
ENTRYPOINT ["/usr/local/bin/netmon"]
USER 0:0
LABEL org.opencontainers.image.title="netmon" \
      org.opencontainers.image.description="One JSON line per TCP/UDP connection, from eBPF; native build"
