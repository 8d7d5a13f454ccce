/*
 * <stdlib.h>, <assert.h>, <errno.h> and <sys/random.h> for guests, but
 * for malloc and friends (guest_heap.c): how a guest ends (exit, abort,
 * a failed assert), its errno, its environment and its randomness.
 *
 * Randomness is the run's: rand, random, arc4random and getrandom draw
 * from the workload stream of the seed (sim/rng.h), so a seed gives the
 * same numbers in every run and different seeds different numbers.
 * srand(s) and srandom(s) mix s into that stream; they never make two
 * seeds' runs alike.
 *
 * The environment is empty: getenv returns NULL for every name (the
 * host's environment would make runs differ between machines).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/guest.h"
#include "sim/rng.h"

#define FAMILY "stdlib.h"

int *__wrap___errno_location(void)
{
	return &guest_self("errno")->err;
}

_Noreturn void __wrap_exit(int status)
{
	GUEST_ENTER("exit");
	GUEST_LEAVE();
	guest_exit(gt_, status);
}

/* _exit skips the atexit handlers. */
_Noreturn void __wrap__exit(int status)
{
	GUEST_ENTER("_exit");
	struct guest_run *r = guest_run_of(gt_);
	if (r != NULL)
		r->exiting = true;
	GUEST_LEAVE();
	guest_exit(gt_, status);
}

_Noreturn void __wrap__Exit(int status)
{
	GUEST_ENTER("_Exit");
	struct guest_run *r = guest_run_of(gt_);
	if (r != NULL)
		r->exiting = true;
	GUEST_LEAVE();
	guest_exit(gt_, status);
}

_Noreturn void __wrap_abort(void)
{
	GUEST_ENTER("abort");
	guest_fail(gt_, "abort() called");
}

_Noreturn void __wrap___assert_fail(const char *expr, const char *file, unsigned line,
				    const char *func)
{
	GUEST_ENTER("assert");
	guest_fail(gt_, "assertion failed: %s (%s:%u, in %s)", expr, file, line,
		   func != NULL ? func : "?");
}

_Noreturn void __wrap___assert_perror_fail(int err, const char *file, unsigned line,
					   const char *func)
{
	GUEST_ENTER("assert_perror");
	guest_fail(gt_, "assert_perror: %s (%s:%u, in %s)", strerror(err), file, line,
		   func != NULL ? func : "?");
}

_Noreturn void __wrap___stack_chk_fail(void)
{
	GUEST_ENTER("__stack_chk_fail");
	guest_fail(gt_, "stack smashing detected (a buffer on the stack overflowed)");
}

static int add_atexit(const char *call, void (*fn)(void))
{
	GUEST_ENTER(call);
	struct guest_run *r = guest_run_of(gt_);
	GUEST_LEAVE();
	if (r == NULL || r->natexit >= GUEST_ATEXIT_MAX)
		return -1;
	r->atexit_fns[r->natexit++] = fn;
	return 0;
}

int __wrap_atexit(void (*fn)(void))
{
	return add_atexit("atexit", fn);
}

/* C code reaches __cxa_atexit only through atexit's older form; an
 * argument other than NULL (a C++ destructor) is not supported. */
int __wrap___cxa_atexit(void (*fn)(void *), void *arg, void *dso)
{
	(void)dso;
	if (arg != NULL)
		return -1;
	return add_atexit("__cxa_atexit", (void (*)(void))fn);
}

char *__wrap_getenv(const char *name)
{
	(void)name;
	return NULL;
}

char *__wrap_secure_getenv(const char *name)
{
	(void)name;
	return NULL;
}

/* ---- randomness ------------------------------------------------------------ */

static uint64_t draw(struct guest_run *r)
{
	if (!r->rand_seeded)
		return rng_next(sim_rng(SIMK_STREAM_WORKLOAD));
	return splitmix64(&r->rand_state);
}

static void reseed(const char *call, unsigned seed)
{
	GUEST_ENTER(call);
	struct guest_run *r = guest_run_of(gt_);
	GUEST_LEAVE();
	if (r == NULL)
		return;
	/* The same seed repeats its sequence within a run (as on Linux); the
	 * sequence itself is the run seed's: its base is drawn once per run. */
	if (!r->rand_base_set) {
		r->rand_base = rng_next(sim_rng(SIMK_STREAM_WORKLOAD));
		r->rand_base_set = true;
	}
	r->rand_state = r->rand_base ^ ((uint64_t)seed * 0x9e3779b97f4a7c15ULL);
	r->rand_seeded = true;
}

static uint64_t next_random(const char *call)
{
	GUEST_ENTER(call);
	struct guest_run *r = guest_run_of(gt_);
	GUEST_LEAVE();
	return r != NULL ? draw(r) : 0;
}

int __wrap_rand(void)
{
	return (int)(next_random("rand") & RAND_MAX);
}

long __wrap_random(void)
{
	return (long)(next_random("random") & 0x7fffffff);
}

void __wrap_srand(unsigned seed)
{
	reseed("srand", seed);
}

void __wrap_srandom(unsigned seed)
{
	reseed("srandom", seed);
}

uint32_t __wrap_arc4random(void)
{
	return (uint32_t)next_random("arc4random");
}

uint32_t __wrap_arc4random_uniform(uint32_t bound)
{
	GUEST_ENTER("arc4random_uniform");
	struct guest_run *r = guest_run_of(gt_);
	GUEST_LEAVE();
	if (r == NULL || bound < 2)
		return 0;
	/* rejection, as rng_below: unbiased */
	uint32_t limit = (uint32_t)(-bound % bound);
	for (;;) {
		uint32_t x = (uint32_t)draw(r);
		if (x >= limit)
			return x % bound;
	}
}

static void fill_random(struct guest_run *r, void *buf, size_t n)
{
	unsigned char *p = buf;
	while (n > 0) {
		uint64_t x = draw(r);
		size_t k = n < sizeof(x) ? n : sizeof(x);
		memcpy(p, &x, k);
		p += k;
		n -= k;
	}
}

void __wrap_arc4random_buf(void *buf, size_t n)
{
	GUEST_ENTER("arc4random_buf");
	struct guest_run *r = guest_run_of(gt_);
	GUEST_LEAVE();
	if (r != NULL)
		fill_random(r, buf, n);
}

/* getrandom(2): checked like a system call's buffer (EFAULT), never short. */
long __wrap_getrandom(void *buf, size_t n, unsigned flags)
{
	GUEST_ENTER("getrandom");
	struct guest_run *r = guest_run_of(gt_);
	if (r == NULL)
		return GUEST_RET(-EPERM);
	if (flags & ~3u) /* GRND_NONBLOCK | GRND_RANDOM */
		return GUEST_RET(-EINVAL);
	if (n > 33554431)
		n = 33554431; /* Linux returns at most 32 MiB - 1 per call */
	if (n > 0 && !guest_user_writable(r, buf, n))
		return GUEST_RET(-EFAULT);
	fill_random(r, buf, n);
	return GUEST_RET((int64_t)n);
}

int __wrap_getentropy(void *buf, size_t n)
{
	GUEST_ENTER("getentropy");
	struct guest_run *r = guest_run_of(gt_);
	if (r == NULL)
		return (int)GUEST_RET(-EPERM);
	if (n > 256)
		return (int)GUEST_RET(-EIO);
	if (n > 0 && !guest_user_writable(r, buf, n))
		return (int)GUEST_RET(-EFAULT);
	fill_random(r, buf, n);
	return (int)GUEST_RET(0);
}

const struct guest_call guest_calls_stdlib[] = {
    GUEST_WRAP(__errno_location, "errno: one per simulated thread"),
    GUEST_WRAP(exit, "runs the atexit handlers, then ends the process; a status other than "
		     "0 fails the run"),
    GUEST_WRAP(_exit, "no atexit handlers"),
    GUEST_WRAP(_Exit, "no atexit handlers"),
    GUEST_WRAP(abort, "fails the run (no SIGABRT), naming the line"),
    GUEST_WRAP(__assert_fail, "a failed assert() fails the run, naming the line"),
    GUEST_WRAP(__assert_perror_fail, "fails the run"),
    GUEST_WRAP(__stack_chk_fail, "-fstack-protector's report fails the run"),
    GUEST_WRAP(atexit, "at most 32 handlers"),
    GUEST_WRAP(__cxa_atexit, "C only: a handler with an argument is refused (-1)"),
    GUEST_WRAP(getenv, "the environment is empty: NULL"),
    GUEST_WRAP(secure_getenv, "NULL"),
    GUEST_WRAP(rand, "the seed's workload stream"),
    GUEST_WRAP(random, "the seed's workload stream"),
    GUEST_WRAP(srand, "mixes its argument into the seed's stream"),
    GUEST_WRAP(srandom, "mixes its argument into the seed's stream"),
    GUEST_WRAP(arc4random, "the seed's workload stream"),
    GUEST_WRAP(arc4random_uniform, "the seed's workload stream"),
    GUEST_WRAP(arc4random_buf, "the seed's workload stream"),
    GUEST_WRAP(getrandom, "the seed's workload stream; EFAULT for a bad buffer"),
    GUEST_WRAP(getentropy, "the seed's workload stream"),
};
const int guest_calls_stdlib_n = GUEST_NCALLS(guest_calls_stdlib);
