/*
 * worker.h - a pool of worker processes: runs jobs in forked children, at
 * most N at once, each with a time limit and a memory limit. A child that
 * crashes, hangs past its limit or runs out of memory costs only its job:
 * the pool reports how it ended and goes on. (libespeak-ng cannot run in
 * threads; processes also isolate its crashes.)
 */
#ifndef REVCAST_WORKER_H
#define REVCAST_WORKER_H

#include <stddef.h>

/* How one job ended. */
struct worker_result {
	int ok;             /* the job's function returned 0 and the child exited 0 */
	const char *why;    /* when not ok: "crashed (signal 11, Segmentation fault)",
			       "took longer than 600 s", "ran out of memory", ... */
	const char *data;   /* what the child wrote to its result pipe */
	size_t len;
};

/*
 * Runs in the child. `fd` is the result pipe (write what the parent must
 * know); the return value is the child's exit status (0 for success).
 */
typedef int (*worker_fn)(void *arg, int fd);
/* Runs in the parent when a job has ended, in the order jobs end. */
typedef void (*worker_done_fn)(void *ctx, int id, const struct worker_result *r);

struct worker_pool;

/*
 * A pool of `jobs` processes (>= 1). time_limit: seconds a job may run (0:
 * none); mem_limit_mb: address space a child may use (0: none). done is
 * called for every job. Returns a pool, never NULL.
 */
struct worker_pool *worker_pool_new(int jobs, int time_limit, long mem_limit_mb,
				    worker_done_fn done, void *ctx);

/*
 * Starts job `id`: forks a child that runs fn(arg, fd) and exits. Waits for
 * a free slot first (calling done for jobs that end meanwhile). Returns 0,
 * or -1 when the child could not be started (printed; done is not called).
 */
int worker_pool_run(struct worker_pool *p, int id, worker_fn fn, void *arg);

/* Waits for every job to end, then frees the pool. */
void worker_pool_finish(struct worker_pool *p);

#endif
