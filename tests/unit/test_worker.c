/*
 * test_worker.c - the worker pool with real child processes: results come
 * back, and a crash, a hang and memory exhaustion each cost only their job.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "worker.h"

struct outcome {
	int ok[8];
	char why[8][128];
	char data[8][64];
	int calls;
};

static void done(void *ctx, int id, const struct worker_result *r)
{
	struct outcome *o = ctx;

	o->calls++;
	o->ok[id] = r->ok;
	snprintf(o->why[id], sizeof(o->why[id]), "%s", r->why ? r->why : "");
	snprintf(o->data[id], sizeof(o->data[id]), "%.*s", (int)r->len, r->data);
}

static int job_ok(void *arg, int fd)
{
	const char *msg = arg;

	return write(fd, msg, strlen(msg)) < 0;
}

static int job_crash(void *arg, int fd)
{
	(void)arg;
	(void)fd;
	raise(SIGSEGV);
	return 0;
}

static int job_hang(void *arg, int fd)
{
	(void)arg;
	(void)fd;
	for (;;)
		pause();
	return 0;
}

static int job_hog(void *arg, int fd)
{
	(void)arg;
	(void)fd;
	for (;;) {
		char *p = xmalloc(16 << 20);   /* dies with "out of memory" at the limit */

		memset(p, 1, 16 << 20);
	}
	return 0;
}

static int job_fail(void *arg, int fd)
{
	(void)arg;
	(void)fd;
	return 3;
}

static void test_results_come_back(void **state)
{
	struct outcome o = { 0 };
	struct worker_pool *p = worker_pool_new(2, 0, 0, done, &o);

	(void)state;
	assert_int_equal(worker_pool_run(p, 0, job_ok, (void *)"first"), 0);
	assert_int_equal(worker_pool_run(p, 1, job_ok, (void *)"second"), 0);
	assert_int_equal(worker_pool_run(p, 2, job_fail, NULL), 0);
	worker_pool_finish(p);
	assert_int_equal(o.calls, 3);
	assert_true(o.ok[0] && o.ok[1]);
	assert_string_equal(o.data[0], (void *)"first");
	assert_string_equal(o.data[1], (void *)"second");
	assert_false(o.ok[2]);
	assert_non_null(strstr(o.why[2], "exit status 3"));
}

static void test_crash_costs_only_its_job(void **state)
{
	struct outcome o = { 0 };
	struct worker_pool *p = worker_pool_new(2, 0, 0, done, &o);

	(void)state;
	worker_pool_run(p, 0, job_crash, NULL);
	worker_pool_run(p, 1, job_ok, (void *)"fine");
	worker_pool_finish(p);
	assert_false(o.ok[0]);
	assert_non_null(strstr(o.why[0], "crashed (signal 11"));
	assert_true(o.ok[1]);
	assert_string_equal(o.data[1], "fine");
}

static void test_hang_is_stopped(void **state)
{
	struct outcome o = { 0 };
	struct worker_pool *p = worker_pool_new(2, 1, 0, done, &o);

	(void)state;
	worker_pool_run(p, 0, job_hang, NULL);
	worker_pool_run(p, 1, job_ok, (void *)"fine");
	worker_pool_finish(p);
	assert_false(o.ok[0]);
	assert_non_null(strstr(o.why[0], "time limit"));
	assert_true(o.ok[1]);
}

static void test_memory_limit(void **state)
{
	struct outcome o = { 0 };
	struct worker_pool *p = worker_pool_new(1, 30, 256, done, &o);

	(void)state;
	worker_pool_run(p, 0, job_hog, NULL);
	worker_pool_run(p, 1, job_ok, (void *)"after");
	worker_pool_finish(p);
	assert_false(o.ok[0]);
#if !defined(__SANITIZE_ADDRESS__)
	assert_string_equal(o.why[0], "ran out of memory");
#endif
	assert_true(o.ok[1]);
}

/* Two jobs that can only finish if they run at the same time. */
static char rendezvous[64];

static int job_meet(void *arg, int fd)
{
	const char *me = arg, *other = !strcmp(me, "a") ? "b" : "a";
	char mine[96], theirs[96];
	int i;
	FILE *f;

	snprintf(mine, sizeof(mine), "%s/%s", rendezvous, me);
	snprintf(theirs, sizeof(theirs), "%s/%s", rendezvous, other);
	f = fopen(mine, "w");
	if (!f)
		return 1;
	fclose(f);
	for (i = 0; i < 500; i++) {     /* up to 5 s */
		if (!access(theirs, F_OK))
			return write(fd, "met", 3) < 0;
		usleep(10000);
	}
	return 1;
}

static void test_jobs_run_in_parallel(void **state)
{
	struct outcome o = { 0 };
	struct worker_pool *p;

	(void)state;
	snprintf(rendezvous, sizeof(rendezvous), "/tmp/revcast-worker-XXXXXX");
	assert_non_null(mkdtemp(rendezvous));
	p = worker_pool_new(2, 0, 0, done, &o);
	worker_pool_run(p, 0, job_meet, (void *)"a");
	worker_pool_run(p, 1, job_meet, (void *)"b");
	worker_pool_finish(p);
	assert_true(o.ok[0] && o.ok[1]);
	assert_string_equal(o.data[0], "met");
	{
		char path[128];

		snprintf(path, sizeof(path), "%s/a", rendezvous);
		unlink(path);
		snprintf(path, sizeof(path), "%s/b", rendezvous);
		unlink(path);
		rmdir(rendezvous);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_results_come_back),
		cmocka_unit_test(test_crash_costs_only_its_job),
		cmocka_unit_test(test_hang_is_stopped),
		cmocka_unit_test(test_memory_limit),
		cmocka_unit_test(test_jobs_run_in_parallel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
