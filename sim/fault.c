#include "sim/fault.h"

#include <fiu-control.h>
#include <fiu.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/access.h"
#include "sim/engine.h"

#define FAULT_POINTS_MAX 64
#define FAULT_NAME_MAX 64

enum fault_mode { FM_OFF, FM_PROB, FM_NTH, FM_EVERY };

struct fault_point {
	char name[FAULT_NAME_MAX];
	enum fault_mode mode;
	double p;
	uint64_t nth;
	uint64_t hits;
	uint64_t injected;
	bool fiu_on;
	struct rng rng;
};

struct fault_state {
	struct fault_point pts[FAULT_POINTS_MAX];
	int n;
};

static bool fiu_ready;

#define FAULT_DECLARED_MAX 128
static const char *declared[FAULT_DECLARED_MAX];
static int ndeclared;

void sim_fault_declare(const char *point)
{
	for (int i = 0; i < ndeclared; i++)
		if (strcmp(declared[i], point) == 0)
			return;
	if (ndeclared < FAULT_DECLARED_MAX)
		declared[ndeclared++] = point;
}

const char *sim_fault_declared(int i)
{
	return i >= 0 && i < ndeclared ? declared[i] : NULL;
}

static bool is_declared(const char *name)
{
	for (int i = 0; i < ndeclared; i++)
		if (strcmp(declared[i], name) == 0)
			return true;
	return false;
}

static struct fault_point *find(struct fault_state *fs, const char *name)
{
	if (fs == NULL)
		return NULL; /* no point was enabled in this run */
	for (int i = 0; i < fs->n; i++)
		if (strcmp(fs->pts[i].name, name) == 0)
			return &fs->pts[i];
	return NULL;
}

/* A probabilistic point: dfs decides whether it fires (at most a bounded
 * number of times per path), any other policy draws from the point's own
 * stream. A point that always or never fires is no decision. */
static bool prob_fires(struct fault_point *fp)
{
	int c = fp->p > 0.0 && fp->p < 1.0 ? sim_decide(SIMK_DIM_FAULT, 2) : -1;
	return c >= 0 ? c == 1 : rng_chance(&fp->rng, fp->p);
}

static int fiu_decide(const char *name, int *failnum, void **failinfo, unsigned int *flags)
{
	(void)failnum;
	(void)failinfo;
	(void)flags;
	struct simk *s = sim_cur();
	if (s == NULL || s->faults == NULL)
		return 0;
	struct fault_point *fp = find(s->faults, name);
	if (fp == NULL)
		return 0;
	fp->hits++;
	bool fail = false;
	switch (fp->mode) {
	case FM_OFF: break;
	case FM_PROB: fail = prob_fires(fp); break;
	case FM_NTH:
		sim_write(SIM_OID(SIM_OID_FAULT, fp - s->faults->pts)); /* the k-th hit */
		fail = fp->hits == fp->nth;
		break;
	case FM_EVERY:
		sim_write(SIM_OID(SIM_OID_FAULT, fp - s->faults->pts));
		fail = fp->nth > 0 && fp->hits % fp->nth == 0;
		break;
	}
	if (fail) {
		fp->injected++;
		trace_emit(TR_FAULT, fp->name, (int64_t)fp->hits, 0, 0, 0);
	}
	return fail ? 1 : 0;
}

int fault_create(struct simk *s, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	if (!fiu_ready) {
		fiu_init(0);
		fiu_ready = true;
	}
	s->faults = NULL; /* made by the first sim_fault_enable: most runs enable none */
	return 0;
}

void fault_destroy(struct simk *s)
{
	if (s->faults == NULL)
		return;
	for (int i = 0; i < s->faults->n; i++)
		if (s->faults->pts[i].fiu_on)
			fiu_disable(s->faults->pts[i].name);
	free(s->faults);
	s->faults = NULL;
}

bool sim_fault(const char *point)
{
	/* Points are enabled only through sim_fault_enable, which makes the
	 * run's table: without it no point can fire, and libfiu's lookup (a
	 * lock and a hash per call, on every allocation) is skipped. */
	struct simk *s = sim_cur();
	if (s == NULL || s->faults == NULL)
		return false;
	return fiu_fail(point) != 0;
}

/* A parsed spec. */
struct fault_spec {
	char name[FAULT_NAME_MAX];
	enum fault_mode mode;
	double p;
	uint64_t nth;
};

/* Decimal, no sign, no junk, no overflow: the number and where it ends. */
static bool parse_count(const char *t, uint64_t *v, const char **end)
{
	if (*t < '0' || *t > '9')
		return false;
	uint64_t x = 0;
	for (; *t >= '0' && *t <= '9'; t++) {
		uint64_t d = (uint64_t)(*t - '0');
		if (x > (UINT64_MAX - d) / 10)
			return false; /* beyond 2^64 - 1 */
		x = x * 10 + d;
	}
	*v = x;
	*end = t;
	return true;
}

static int parse_spec(const char *spec, struct fault_spec *f, char *err, size_t errlen)
{
	const char *colon = strchr(spec, ':');
	if (colon == NULL || colon == spec) {
		snprintf(err, errlen, "fault spec '%s': expected POINT:p=PROB, POINT:nth=K or POINT:off",
			 spec);
		return -1;
	}
	if ((size_t)(colon - spec) >= FAULT_NAME_MAX) {
		snprintf(err, errlen, "fault point name too long (max %d bytes)", FAULT_NAME_MAX - 1);
		return -1;
	}
	memset(f, 0, sizeof(*f));
	memcpy(f->name, spec, (size_t)(colon - spec));
	const char *arg = colon + 1;
	if (strncmp(arg, "p=", 2) == 0) {
		char *end = NULL;
		bool digit = (arg[2] >= '0' && arg[2] <= '9') || arg[2] == '.';
		f->p = digit ? strtod(arg + 2, &end) : -1.0;
		if (!digit || *end != '\0' || !(f->p >= 0.0 && f->p <= 1.0)) {
			snprintf(err, errlen, "fault spec '%s': probability must be in [0, 1]", spec);
			return -1;
		}
		f->mode = FM_PROB;
	} else if (strncmp(arg, "nth=", 4) == 0) {
		const char *end;
		if (!parse_count(arg + 4, &f->nth, &end) || f->nth == 0) {
			snprintf(err, errlen,
				 "fault spec '%s': nth needs a positive integer below 2^64 (it counts "
				 "from 1)",
				 spec);
			return -1;
		}
		f->mode = FM_NTH;
		if (strcmp(end, ",every") == 0) {
			f->mode = FM_EVERY;
		} else if (*end != '\0') {
			snprintf(err, errlen, "fault spec '%s': trailing text after nth", spec);
			return -1;
		}
	} else if (strcmp(arg, "off") == 0) {
		f->mode = FM_OFF;
	} else {
		snprintf(err, errlen, "fault spec '%s': expected p=PROB, nth=K[,every] or off", spec);
		return -1;
	}
	if (!is_declared(f->name)) {
		size_t off = (size_t)snprintf(err, errlen, "unknown fault point '%s' (known:", f->name);
		for (int i = 0; i < ndeclared && off < errlen; i++)
			off += (size_t)snprintf(err + off, errlen - off, " %s", declared[i]);
		if (off < errlen)
			snprintf(err + off, errlen - off, ")");
		return -1;
	}
	return 0;
}

int sim_fault_spec_check(const char *spec, char *err, size_t errlen)
{
	struct fault_spec f;
	return parse_spec(spec, &f, err, errlen);
}

int sim_fault_enable(const char *spec, char *err, size_t errlen)
{
	struct simk *s = sim_cur();
	if (s == NULL) {
		snprintf(err, errlen, "no simulation");
		return -1;
	}
	struct fault_spec f;
	if (parse_spec(spec, &f, err, errlen) != 0)
		return -1;
	const char *name = f.name;
	enum fault_mode mode = f.mode;
	double p = f.p;
	uint64_t k = f.nth;
	if (s->faults == NULL && (s->faults = calloc(1, sizeof(*s->faults))) == NULL) {
		snprintf(err, errlen, "out of host memory");
		return -1;
	}
	struct fault_state *fs = s->faults;
	struct fault_point *fp = find(fs, name);
	if (fp == NULL) {
		if (fs->n >= FAULT_POINTS_MAX) {
			snprintf(err, errlen, "too many fault points (max %d)", FAULT_POINTS_MAX);
			return -1;
		}
		fp = &fs->pts[fs->n++];
		memset(fp, 0, sizeof(*fp));
		snprintf(fp->name, sizeof(fp->name), "%s", name);
		rng_seed(&fp->rng, s->opts.seed ^ sim_rng_of(s, SIMK_STREAM_FAULT)->s[0], hash_str(name));
	}
	fp->mode = mode;
	fp->p = p;
	fp->nth = k;
	if (!fp->fiu_on) {
		if (fiu_enable_external(fp->name, 1, NULL, 0, fiu_decide) != 0) {
			snprintf(err, errlen, "libfiu refused point %s", fp->name);
			return -1;
		}
		fp->fiu_on = true;
	}
	return 0;
}

uint64_t sim_fault_hits(const char *point)
{
	struct fault_point *fp = find(sim_cur()->faults, point);
	return fp ? fp->hits : 0;
}

uint64_t sim_fault_injected(const char *point)
{
	struct fault_point *fp = find(sim_cur()->faults, point);
	return fp ? fp->injected : 0;
}
