/*
 * Deterministic fault injection over libfiu. Code names a fault point with
 * sim_fault("blk/write/eio"); whether it fails is decided by our callback
 * (libfiu's external mode) from the run's fault stream — one sub-stream per
 * point, seeded from (seed, point name), so enabling another point never
 * changes this one's decisions, and faults never touch scheduling.
 *
 * Specs: "POINT:p=0.01" (each hit fails with that probability),
 * "POINT:nth=3" (exactly the third hit fails), "POINT:nth=3,every" (every
 * third hit), "POINT:off".
 */
#ifndef SIMK_FAULT_H
#define SIMK_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct simk;

int fault_create(struct simk *s, char *err, size_t errlen);
void fault_destroy(struct simk *s);

/* True when the point fails this time. Traced when it does. */
bool sim_fault(const char *point);
/* Checks a spec without a simulation (the scenario parser): 0, or -1 with
 * the message. nth= is a positive integer below 2^64. */
int sim_fault_spec_check(const char *spec, char *err, size_t errlen);
/* Enables or re-configures a point; any time during setup or the run. */
int sim_fault_enable(const char *spec, char *err, size_t errlen);
/* Declares a fault point (once per host process, from a subsystem's
 * registration). Enabling a point nobody declared is an error, so a typo in
 * --fault or a scenario's `fault` line is caught instead of silently
 * injecting nothing. */
void sim_fault_declare(const char *point);
/* The i-th declared point (NULL past the end), for help and messages. */
const char *sim_fault_declared(int i);

/* Number of times a point was hit / injected in this run. */
uint64_t sim_fault_hits(const char *point);
uint64_t sim_fault_injected(const char *point);

#endif
