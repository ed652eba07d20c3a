/*
 * worker.c - a pool of worker processes. See worker.h.
 */
#include "worker.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Exit status a child uses when it runs out of memory (util.c's die() uses 128). */
#define EXIT_OOM 128

/* AddressSanitizer maps terabytes of shadow memory: no RLIMIT_AS under it. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

struct worker {
	pid_t pid;          /* 0: free slot */
	int id;
	int fd;             /* read end of the result pipe, -1 at EOF */
	struct strbuf out;
	double deadline;    /* monotonic seconds; 0: none */
	int timed_out;
};

struct worker_pool {
	struct worker *w;
	int jobs;
	int time_limit;
	long mem_limit_mb;
	worker_done_fn done;
	void *ctx;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct worker_pool *worker_pool_new(int jobs, int time_limit, long mem_limit_mb,
				    worker_done_fn done, void *ctx)
{
	struct worker_pool *p = xcalloc(1, sizeof(*p));
	int i;

	p->jobs = jobs < 1 ? 1 : jobs;
	p->w = xcalloc((size_t)p->jobs, sizeof(*p->w));
	for (i = 0; i < p->jobs; i++) {
		p->w[i].fd = -1;
		strbuf_init(&p->w[i].out);
	}
	p->time_limit = time_limit;
	p->mem_limit_mb = mem_limit_mb;
	p->done = done;
	p->ctx = ctx;
	return p;
}

/* Turns how a child ended into a reason (static or in buf). */
static const char *why_of(const struct worker *w, int status, char *buf, size_t n)
{
	if (w->timed_out) {
		snprintf(buf, n, "took longer than the time limit and was stopped");
		return buf;
	}
	if (WIFSIGNALED(status)) {
		snprintf(buf, n, "crashed (signal %d, %s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
		return buf;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_OOM)
		return "ran out of memory";
	snprintf(buf, n, "failed (exit status %d)", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return buf;
}

/* Reaps worker w (its pipe is at EOF or it was killed) and reports it. */
static void reap(struct worker_pool *p, struct worker *w)
{
	struct worker_result r;
	char buf[128];
	int status = 0;

	if (w->fd >= 0) {
		close(w->fd);
		w->fd = -1;
	}
	while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
		;
	r.ok = !w->timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	r.why = r.ok ? NULL : why_of(w, status, buf, sizeof(buf));
	r.data = w->out.buf;
	r.len = w->out.len;
	w->pid = 0;
	p->done(p->ctx, w->id, &r);
	strbuf_reset(&w->out);
	w->timed_out = 0;
}

static int running(const struct worker_pool *p)
{
	int i, n = 0;

	for (i = 0; i < p->jobs; i++)
		n += p->w[i].pid != 0;
	return n;
}

/*
 * Waits until at least one running job ends (reading result pipes, killing
 * jobs past their deadline), and reports the jobs that ended.
 */
static void wait_some(struct worker_pool *p)
{
	struct pollfd *fds = xcalloc((size_t)p->jobs, sizeof(*fds));
	int *idx = xcalloc((size_t)p->jobs, sizeof(*idx));
	int ended = 0;

	while (!ended && running(p)) {
		double t = now_s(), next = 0;
		int i, n = 0, timeout;

		for (i = 0; i < p->jobs; i++) {
			struct worker *w = &p->w[i];

			if (!w->pid)
				continue;
			if (w->deadline && t >= w->deadline && !w->timed_out) {
				kill(w->pid, SIGKILL);
				w->timed_out = 1;
			}
			if (w->fd < 0 || w->timed_out) {
				reap(p, w);
				ended = 1;
				continue;
			}
			if (w->deadline && (!next || w->deadline < next))
				next = w->deadline;
			fds[n].fd = w->fd;
			fds[n].events = POLLIN;
			idx[n++] = i;
		}
		if (ended || !n)
			break;
		timeout = next ? (int)((next - t) * 1000) + 1 : -1;
		if (poll(fds, (nfds_t)n, timeout) < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		for (i = 0; i < n; i++) {
			struct worker *w = &p->w[idx[i]];
			char buf[4096];
			ssize_t r;

			if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(w->fd, buf, sizeof(buf));
			if (r > 0) {
				strbuf_add(&w->out, buf, (size_t)r);
			} else if (r == 0 || errno != EINTR) {
				close(w->fd);
				w->fd = -1;   /* reaped on the next round */
			}
		}
	}
	free(fds);
	free(idx);
}

int worker_pool_run(struct worker_pool *p, int id, worker_fn fn, void *arg)
{
	struct worker *w = NULL;
	int fd, i;
	pid_t pid;

	while (running(p) >= p->jobs)
		wait_some(p);
	for (i = 0; i < p->jobs && !w; i++)
		if (!p->w[i].pid)
			w = &p->w[i];
	pid = fork_piped(&fd, "a worker process");
	if (pid < 0)
		return -1;
	if (pid == 0) {
		static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
		int st;
		size_t k;

		/* A crash must end the child, whatever handlers the parent set. */
		for (k = 0; k < ARRAY_SIZE(fatal); k++)
			signal(fatal[k], SIG_DFL);
		if (p->mem_limit_mb > 0 && !UNDER_ASAN) {
			struct rlimit rl;

			rl.rlim_cur = rl.rlim_max = (rlim_t)p->mem_limit_mb << 20;
			setrlimit(RLIMIT_AS, &rl);
		}
		st = fn(arg, fd);
		close(fd);
		fflush(NULL);
		_exit(st);
	}
	w->pid = pid;
	w->id = id;
	w->fd = fd;
	w->deadline = p->time_limit > 0 ? now_s() + p->time_limit : 0;
	w->timed_out = 0;
	strbuf_reset(&w->out);
	return 0;
}

void worker_pool_finish(struct worker_pool *p)
{
	int i;

	while (running(p))
		wait_some(p);
	for (i = 0; i < p->jobs; i++)
		strbuf_release(&p->w[i].out);
	free(p->w);
	free(p);
}
