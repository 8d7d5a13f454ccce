/*
 * Device configuration: defaults, checks, the text form used by scenarios
 * and the CLI, and the latency models. Latency draws come only from the
 * DEVICE stream the caller passes in.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/blk_internal.h"

#define BLK_RETRIES_MAX 100 /* re-issues after a timeout, at most */

#define LATENCY_NS_MAX (3600ULL * 1000000000ULL) /* one hour: far past any timeout */

void blkdev_config_default(struct blkdev_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->name, sizeof(cfg->name), "blk0");
	cfg->sector_size = 512;
	cfg->capacity_sectors = 16384;
	cfg->queue_depth = 32;
	cfg->latency = blk_latency_uniform(20000, 200000);
	cfg->reorder = true;
	cfg->write_cache = true;
	cfg->timeout_ns = 50000000;
	cfg->retries_max = 2;
	cfg->delay_ns = 5000000;
}

int blk_latency_check(const struct blk_latency *l)
{
	switch (l->model) {
	case BLK_LAT_FIXED:
		return l->fixed_ns <= LATENCY_NS_MAX ? 0 : -EINVAL;
	case BLK_LAT_UNIFORM:
		return l->min_ns <= l->max_ns && l->max_ns <= LATENCY_NS_MAX ? 0 : -EINVAL;
	case BLK_LAT_EXP:
		return l->mean_ns <= LATENCY_NS_MAX / 64 ? 0 : -EINVAL;
	case BLK_LAT_BIMODAL:
		if (!(l->slow_prob >= 0.0 && l->slow_prob <= 1.0))
			return -EINVAL;
		return l->mean_ns <= LATENCY_NS_MAX / 64 && l->slow_ns <= LATENCY_NS_MAX ? 0
											 : -EINVAL;
	}
	return -EINVAL;
}

/* Exponential with the given mean, by inversion; capped at 64 means. */
static uint64_t draw_exp(uint64_t mean_ns, struct rng *r)
{
	double x = -log1p(-rng_unit(r)) * (double)mean_ns;
	double cap = 64.0 * (double)mean_ns;
	if (x > cap)
		x = cap;
	return (uint64_t)x;
}

bool blk_latency_has_range(const struct blk_latency *l)
{
	switch (l->model) {
	case BLK_LAT_FIXED:
		return false;
	case BLK_LAT_UNIFORM:
		return l->max_ns > l->min_ns;
	case BLK_LAT_EXP:
		return l->mean_ns > 0;
	case BLK_LAT_BIMODAL:
		return l->slow_ns != l->mean_ns;
	}
	return false;
}

static uint64_t between(uint64_t lo, uint64_t hi, uint32_t c, uint32_t k)
{
	if (hi <= lo)
		return lo;
	/* lo + (hi - lo) * c / (k - 1), without overflow: hi < 2^63 here */
	return lo + (uint64_t)((double)(hi - lo) * c / (k - 1) + 0.5);
}

uint64_t blk_latency_class(const struct blk_latency *l, uint32_t c, uint32_t k)
{
	KASSERT(k >= 2, "latency class %u of %u", c, k);
	KASSERT(c < k, "latency class %u of %u", c, k);
	switch (l->model) {
	case BLK_LAT_FIXED:
		return l->fixed_ns;
	case BLK_LAT_UNIFORM:
		return between(l->min_ns, l->max_ns, c, k);
	case BLK_LAT_EXP:
		return between(0, 2 * l->mean_ns, c, k);
	case BLK_LAT_BIMODAL:
		return between(l->mean_ns, l->slow_ns, c, k);
	}
	KASSERT(0, "unknown latency model %d", (int)l->model);
	return 0;
}

uint64_t blk_latency_draw(const struct blk_latency *l, struct rng *r)
{
	switch (l->model) {
	case BLK_LAT_FIXED:
		return l->fixed_ns;
	case BLK_LAT_UNIFORM:
		return l->min_ns + rng_below(r, l->max_ns - l->min_ns + 1);
	case BLK_LAT_EXP:
		return draw_exp(l->mean_ns, r);
	case BLK_LAT_BIMODAL:
		if (rng_chance(r, l->slow_prob))
			return l->slow_ns;
		return draw_exp(l->mean_ns, r);
	}
	KASSERT(0, "unknown latency model %d", (int)l->model);
	return 0;
}

/* "250", "250ns", "20us", "5ms", "1s" -> ns. */
static int parse_ns(const char *v, uint64_t *out)
{
	char *end = NULL;
	if (v[0] < '0' || v[0] > '9')
		return -EINVAL;
	unsigned long long n = strtoull(v, &end, 10);
	uint64_t mul = 1;
	if (*end == '\0' || strcmp(end, "ns") == 0)
		mul = 1;
	else if (strcmp(end, "us") == 0)
		mul = 1000;
	else if (strcmp(end, "ms") == 0)
		mul = 1000000;
	else if (strcmp(end, "s") == 0)
		mul = 1000000000;
	else
		return -EINVAL;
	if (n > UINT64_MAX / mul)
		return -EINVAL;
	*out = n * mul;
	return 0;
}

static int parse_u64(const char *v, uint64_t *out)
{
	char *end = NULL;
	if (v[0] < '0' || v[0] > '9')
		return -EINVAL;
	unsigned long long n = strtoull(v, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	*out = n;
	return 0;
}

static int parse_bool(const char *v, bool *out)
{
	if (strcmp(v, "1") == 0 || strcmp(v, "on") == 0 || strcmp(v, "true") == 0) {
		*out = true;
		return 0;
	}
	if (strcmp(v, "0") == 0 || strcmp(v, "off") == 0 || strcmp(v, "false") == 0) {
		*out = false;
		return 0;
	}
	return -EINVAL;
}

/* Splits "a:b:c" into at most max fields in buf (modified). */
static int split_colon(char *buf, char **fields, int max)
{
	int n = 0;
	char *p = buf;
	while (n < max) {
		fields[n++] = p;
		char *c = strchr(p, ':');
		if (c == NULL)
			return n;
		*c = '\0';
		p = c + 1;
	}
	return -1; /* too many fields */
}

static int parse_latency(const char *v, struct blk_latency *out)
{
	char buf[128];
	if (strlen(v) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", v);
	char *f[4];
	int n = split_colon(buf, f, 4);
	uint64_t a, b;
	if (n == 2 && strcmp(f[0], "fixed") == 0) {
		if (parse_ns(f[1], &a))
			return -EINVAL;
		*out = blk_latency_fixed(a);
	} else if (n == 3 && strcmp(f[0], "uniform") == 0) {
		if (parse_ns(f[1], &a) || parse_ns(f[2], &b))
			return -EINVAL;
		*out = blk_latency_uniform(a, b);
	} else if (n == 2 && strcmp(f[0], "exp") == 0) {
		if (parse_ns(f[1], &a))
			return -EINVAL;
		*out = blk_latency_exp(a);
	} else if (n == 4 && strcmp(f[0], "bimodal") == 0) {
		char *end = NULL;
		if (parse_ns(f[1], &a) || parse_ns(f[2], &b))
			return -EINVAL;
		double p = strtod(f[3], &end);
		if (end == f[3] || *end != '\0')
			return -EINVAL;
		*out = blk_latency_bimodal(a, b, p);
	} else {
		return -EINVAL;
	}
	return blk_latency_check(out);
}

int blkdev_config_set(struct blkdev_config *cfg, const char *key, const char *value, char *err,
		      size_t errlen)
{
	char dummy[8];
	if (err == NULL) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	uint64_t n = 0;
	bool b = false;
	int rc = 0;
	if (strcmp(key, "name") == 0) {
		if (value[0] == '\0' || strlen(value) >= sizeof(cfg->name))
			rc = -EINVAL;
		else
			snprintf(cfg->name, sizeof(cfg->name), "%s", value);
	} else if (strcmp(key, "sector_size") == 0) {
		rc = parse_u64(value, &n);
		if (rc == 0 && n != 512 && n != 4096)
			rc = -EINVAL;
		if (rc == 0)
			cfg->sector_size = (uint32_t)n;
	} else if (strcmp(key, "capacity") == 0) {
		rc = parse_u64(value, &n);
		if (rc == 0 && n == 0)
			rc = -EINVAL;
		if (rc == 0)
			cfg->capacity_sectors = n;
	} else if (strcmp(key, "queue_depth") == 0) {
		rc = parse_u64(value, &n);
		if (rc == 0 && (n == 0 || n > BLKDEV_QUEUE_DEPTH_MAX))
			rc = -EINVAL;
		if (rc == 0)
			cfg->queue_depth = (uint32_t)n;
	} else if (strcmp(key, "latency") == 0) {
		struct blk_latency l;
		rc = parse_latency(value, &l);
		if (rc == 0)
			cfg->latency = l;
	} else if (strcmp(key, "reorder") == 0) {
		rc = parse_bool(value, &b);
		if (rc == 0)
			cfg->reorder = b;
	} else if (strcmp(key, "write_cache") == 0) {
		rc = parse_bool(value, &b);
		if (rc == 0)
			cfg->write_cache = b;
	} else if (strcmp(key, "timeout") == 0) {
		rc = parse_ns(value, &n);
		if (rc == 0 && n == 0)
			rc = -EINVAL;
		if (rc == 0)
			cfg->timeout_ns = n;
	} else if (strcmp(key, "retries") == 0) {
		rc = parse_u64(value, &n);
		if (rc == 0 && n > BLK_RETRIES_MAX)
			rc = -EINVAL;
		if (rc == 0)
			cfg->retries_max = (uint32_t)n;
	} else if (strcmp(key, "delay") == 0) {
		rc = parse_ns(value, &n);
		if (rc == 0)
			cfg->delay_ns = n;
	} else {
		snprintf(err, errlen, "unknown block device option '%s'", key);
		return -EINVAL;
	}
	if (rc != 0)
		snprintf(err, errlen, "bad value '%s' for block device option '%s'", value, key);
	return rc;
}

int blkdev_config_set_list(struct blkdev_config *cfg, const char *list, char *err,
			   size_t errlen)
{
	char item[128];
	for (const char *p = list; *p != '\0';) {
		size_t n = strcspn(p, ",");
		if (n >= sizeof(item)) {
			snprintf(err, errlen, "device option '%.*s...' is too long", 20, p);
			return -EINVAL;
		}
		memcpy(item, p, n);
		item[n] = '\0';
		p += n + (p[n] == ',');
		char *eq = strchr(item, '=');
		if (eq == NULL || eq == item) {
			snprintf(err, errlen, "device option '%s': expected KEY=VALUE", item);
			return -EINVAL;
		}
		*eq = '\0';
		if (strcmp(item, "name") == 0) {
			snprintf(err, errlen, "device option 'name' cannot be set for every device");
			return -EINVAL;
		}
		char why[160];
		if (blkdev_config_set(cfg, item, eq + 1, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "device option '%s=%s': %s", item, eq + 1, why);
			return -EINVAL;
		}
	}
	return 0;
}
