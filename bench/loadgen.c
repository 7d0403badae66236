// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A bounded loopback connection storm for netmon's benchmark: each thread owns a
 * TCP listener on 127.0.0.1 (or ::1) and repeats connect, accept, close(client),
 * close(accepted) against it until the duration or the cycle cap is reached.
 * Every cycle is four netmon events: CONNECT, ACCEPT and two CLOSEs.
 *
 * The client closes first with SO_LINGER {1, 0}: it sends a RST, so neither
 * side enters TIME_WAIT and the ephemeral ports never run out.
 *
 * Prints one JSON line on stdout:
 *   {"threads":2,"seconds":5.000,"cycles":123456,"cycles_per_s":24691.2,"errors":0}
 * Exit status 0, or 1 if a thread could not run (errors on stderr), 2 on usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 64
#define MAX_SECONDS 3600.0
#define MAX_ERRORS 1000 /* per thread; past this the thread gives up */
#define CHECK_EVERY 64  /* cycles between clock reads */

struct worker {
	pthread_t thread;
	int listener;
	struct sockaddr_storage addr;
	socklen_t addr_len;
	unsigned long long cycles;
	unsigned long long errors;
	int failed;
};

static double seconds_limit = 5.0;
static unsigned long long cycle_cap = 100000000ULL; /* per thread */
static int use_ipv6;
static pthread_barrier_t start_line;
static struct timespec started;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int open_listener(struct worker *w)
{
	int one = 1;

	memset(&w->addr, 0, sizeof(w->addr));
	if (use_ipv6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&w->addr;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		w->addr_len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&w->addr;

		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		w->addr_len = sizeof(*a);
	}
	w->listener = socket(w->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (w->listener < 0)
		return -1;
	setsockopt(w->listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* Port 0: the kernel picks a free one, which getsockname() then tells. */
	if (bind(w->listener, (struct sockaddr *)&w->addr, w->addr_len) < 0 ||
	    listen(w->listener, 64) < 0 ||
	    getsockname(w->listener, (struct sockaddr *)&w->addr, &w->addr_len) < 0) {
		close(w->listener);
		return -1;
	}
	return 0;
}

/* One connect-accept-close cycle; 0 on success. */
static int cycle(struct worker *w)
{
	struct linger rst = { .l_onoff = 1, .l_linger = 0 };
	int client, server;

	client = socket(w->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (client < 0)
		return -1;
	setsockopt(client, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
	if (connect(client, (struct sockaddr *)&w->addr, w->addr_len) < 0) {
		close(client);
		return -1;
	}
	server = accept4(w->listener, NULL, NULL, SOCK_CLOEXEC);
	close(client); /* RST: no TIME_WAIT on either side */
	if (server < 0)
		return -1;
	close(server);
	return 0;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	double deadline;

	pthread_barrier_wait(&start_line);
	deadline = started.tv_sec + started.tv_nsec / 1e9 + seconds_limit;
	while (w->cycles < cycle_cap) {
		if (cycle(w) == 0) {
			w->cycles++;
		} else if (++w->errors > MAX_ERRORS) {
			fprintf(stderr, "loadgen: giving up after %llu errors, last: %s\n", w->errors, strerror(errno));
			w->failed = 1;
			break;
		}
		if ((w->cycles + w->errors) % CHECK_EVERY == 0 && now_s() >= deadline)
			break;
	}
	return NULL;
}

static void usage(void)
{
	fprintf(stderr, "usage: loadgen [-t THREADS (1-%d)] [-d SECONDS (0-%g)] [-n MAX_CYCLES_PER_THREAD] [-6]\n",
		MAX_THREADS, MAX_SECONDS);
	exit(2);
}

int main(int argc, char **argv)
{
	struct worker workers[MAX_THREADS] = { 0 };
	unsigned long long cycles = 0, errors = 0;
	int threads = 1, failed = 0, opt, i;
	double elapsed;
	char *end;

	while ((opt = getopt(argc, argv, "t:d:n:6")) != -1) {
		switch (opt) {
		case 't':
			threads = (int)strtol(optarg, &end, 10);
			if (*end || threads < 1 || threads > MAX_THREADS)
				usage();
			break;
		case 'd':
			seconds_limit = strtod(optarg, &end);
			if (*end || !(seconds_limit > 0 && seconds_limit <= MAX_SECONDS))
				usage();
			break;
		case 'n':
			cycle_cap = strtoull(optarg, &end, 10);
			if (*end || cycle_cap == 0)
				usage();
			break;
		case '6':
			use_ipv6 = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	for (i = 0; i < threads; i++) {
		if (open_listener(&workers[i]) < 0) {
			fprintf(stderr, "loadgen: cannot listen on loopback: %s\n", strerror(errno));
			return 1;
		}
	}
	/* The clock starts when every thread is ready, so thread start-up is not counted. */
	pthread_barrier_init(&start_line, NULL, threads + 1);
	for (i = 0; i < threads; i++) {
		if (pthread_create(&workers[i].thread, NULL, run, &workers[i]) != 0) {
			fprintf(stderr, "loadgen: cannot start thread %d\n", i);
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &started);
	pthread_barrier_wait(&start_line);
	for (i = 0; i < threads; i++) {
		pthread_join(workers[i].thread, NULL);
		cycles += workers[i].cycles;
		errors += workers[i].errors;
		failed |= workers[i].failed;
		close(workers[i].listener);
	}
	elapsed = now_s() - (started.tv_sec + started.tv_nsec / 1e9);
	printf("{\"threads\":%d,\"seconds\":%.3f,\"cycles\":%llu,\"cycles_per_s\":%.1f,\"errors\":%llu}\n", threads,
	       elapsed, cycles, elapsed > 0 ? cycles / elapsed : 0.0, errors);
	return failed;
}
