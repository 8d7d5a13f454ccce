#include "sim/fault.h"

#include <fiu-control.h>
#include <fiu.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	case FM_PROB: fail = rng_chance(&fp->rng, fp->p); break;
	case FM_NTH: fail = fp->hits == fp->nth; break;
	case FM_EVERY: fail = fp->nth > 0 && fp->hits % fp->nth == 0; break;
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

int sim_fault_enable(const char *spec, char *err, size_t errlen)
{
	struct simk *s = sim_cur();
	if (s == NULL) {
		snprintf(err, errlen, "no simulation");
		return -1;
	}
	const char *colon = strchr(spec, ':');
	if (colon == NULL || colon == spec || (size_t)(colon - spec) >= FAULT_NAME_MAX) {
		snprintf(err, errlen, "fault '%s': expected POINT:p=PROB or POINT:nth=K", spec);
		return -1;
	}
	char name[FAULT_NAME_MAX];
	memcpy(name, spec, (size_t)(colon - spec));
	name[colon - spec] = '\0';
	const char *arg = colon + 1;
	enum fault_mode mode;
	double p = 0;
	unsigned long long k = 0;
	char *end = NULL;
	if (strncmp(arg, "p=", 2) == 0) {
		p = strtod(arg + 2, &end);
		if (end == arg + 2 || *end != '\0' || !(p >= 0.0 && p <= 1.0)) {
			snprintf(err, errlen, "fault '%s': probability must be in [0, 1]", spec);
			return -1;
		}
		mode = FM_PROB;
	} else if (strncmp(arg, "nth=", 4) == 0) {
		if (arg[4] < '0' || arg[4] > '9') {
			snprintf(err, errlen, "fault '%s': nth needs a positive integer", spec);
			return -1;
		}
		k = strtoull(arg + 4, &end, 10);
		mode = FM_NTH;
		if (end != NULL && strcmp(end, ",every") == 0)
			mode = FM_EVERY;
		else if (end == NULL || *end != '\0') {
			snprintf(err, errlen, "fault '%s': trailing text after nth", spec);
			return -1;
		}
		if (k == 0) {
			snprintf(err, errlen, "fault '%s': nth counts from 1", spec);
			return -1;
		}
	} else if (strcmp(arg, "off") == 0) {
		mode = FM_OFF;
	} else {
		snprintf(err, errlen, "fault '%s': expected p=PROB, nth=K or off", spec);
		return -1;
	}
	if (!is_declared(name)) {
		size_t off = (size_t)snprintf(err, errlen, "unknown fault point '%s' (known:", name);
		for (int i = 0; i < ndeclared && off < errlen; i++)
			off += (size_t)snprintf(err + off, errlen - off, " %s", declared[i]);
		if (off < errlen)
			snprintf(err + off, errlen - off, ")");
		return -1;
	}
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
		rng_seed(&fp->rng, s->opts.seed ^ s->rng[SIMK_STREAM_FAULT].s[0], hash_str(name));
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
