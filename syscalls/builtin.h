/*
 * The composition point (syscalls/builtin.c): the one place that knows every
 * layer. It registers the built-in subsystems and their scenario operations
 * with the engine and the scenario language, which know no layer above
 * them, and it defines the embedding API's simk_create() on top of the
 * engine's sim_create().
 */
#ifndef SIMK_BUILTIN_H
#define SIMK_BUILTIN_H

/* Registers every built-in subsystem and scenario operation, in dependency
 * order. Idempotent; host context, before the first simulation or parse.
 * simk_create() calls it; a program that parses scenarios (scn_parse,
 * scn_load) before creating a simulation calls it first. */
void simk_register_builtin(void);

#endif
