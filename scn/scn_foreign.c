/*
 * Programs that are not scenarios (scn.h, "Programs that are not
 * scenarios"): the registry of foreign loaders, and the dispatch that
 * lets a struct scn_prog stand for one of their programs. A foreign
 * program is a zeroed scn_prog shell that carries its name, the loader
 * and the loader's own program; the scenario code never looks inside it
 * because every entry point that would hands the shell to the loader
 * first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn/scn_internal.h"
#include "sim/hostfile.h"

#define SCN_FOREIGN_MAX 4

static const struct scn_foreign *foreigns[SCN_FOREIGN_MAX];
static int nforeigns;

void scn_register_foreign(const struct scn_foreign *f)
{
	for (int i = 0; i < nforeigns; i++)
		if (foreigns[i] == f)
			return;
	if (nforeigns == SCN_FOREIGN_MAX) {
		fprintf(stderr, "simk: too many foreign program kinds (%s)\n", f->name);
		abort();
	}
	foreigns[nforeigns++] = f;
}

struct scn_prog *scn_load_args(const char *path, const char *const *args, int nargs, char *err,
			       size_t errlen)
{
	/* the foreign kinds register with the layers (simk_register_builtin(),
	 * called by the top: the CLI, simk_create, the tests) */
	if (!scn_registered()) {
		snprintf(err, errlen,
			 "%s: no program kinds are registered (call simk_register_builtin() "
			 "before loading)",
			 path);
		return NULL;
	}
	/* a FIFO or a device would block the kinds' look at the file */
	FILE *check = host_open_regular(path, err, errlen);
	if (check == NULL)
		return NULL;
	fclose(check);
	for (int i = 0; i < nforeigns; i++) {
		const struct scn_foreign *f = foreigns[i];
		if (!f->claims(path))
			continue;
		struct scn_prog *p = calloc(1, sizeof(*p));
		char *name = strdup(path);
		void *fp =
		    p != NULL && name != NULL ? f->load(path, args, nargs, err, errlen) : NULL;
		if (fp == NULL) {
			if (p == NULL || name == NULL)
				snprintf(err, errlen, "%s: out of memory", path);
			free(name);
			free(p);
			return NULL;
		}
		p->name = name;
		p->foreign = f;
		p->foreign_prog = fp;
		p->finally_body = -1;
		p->main_proc = -1;
		return p;
	}
	if (nargs > 0) {
		snprintf(err, errlen,
			 "%s: unexpected argument '%s' (a scenario takes none; arguments after "
			 "`--` are a guest program's, docs/guest.md)",
			 path, args[0]);
		return NULL;
	}
	return scn_load(path, err, errlen);
}

void *scn_foreign_prog(const struct scn_prog *p)
{
	return p != NULL ? p->foreign_prog : NULL;
}

/* The scenario entry points call these first: true when p (or the run
 * of s) was the foreign loader's business. */
bool scn_foreign_free(struct scn_prog *p)
{
	if (p->foreign == NULL)
		return false;
	p->foreign->free(p->foreign_prog);
	free(p->name);
	free(p);
	return true;
}

bool scn_foreign_apply_options(const struct scn_prog *p, struct simk_opts *o)
{
	if (p->foreign == NULL)
		return false;
	p->foreign->apply_options(p->foreign_prog, o);
	return true;
}

bool scn_foreign_instantiate(struct simk *s, const struct scn_prog *p, char *err, size_t errlen,
			     int *result)
{
	if (p->foreign == NULL)
		return false;
	*result = p->foreign->instantiate(s, p->foreign_prog, err, errlen);
	return true;
}

void scn_foreign_print_blocked(const struct simk *s, void *file)
{
	for (int i = 0; i < nforeigns; i++)
		if (foreigns[i]->print_blocked != NULL)
			foreigns[i]->print_blocked(s, file);
}

int scn_foreign_failure_site(const struct simk *s, char *buf, size_t len)
{
	for (int i = 0; i < nforeigns; i++)
		if (foreigns[i]->failure_site != NULL &&
		    foreigns[i]->failure_site(s, buf, len) == 0)
			return 0;
	return -1;
}

void scn_print_output(const struct simk *s, void *out, void *err)
{
	for (int i = 0; i < nforeigns; i++)
		if (foreigns[i]->print_output != NULL)
			foreigns[i]->print_output(s, out, err);
}

bool scn_foreign_thread_site(const struct simk_thread *t, const char **file, int *line)
{
	for (int i = 0; i < nforeigns; i++)
		if (foreigns[i]->thread_site != NULL && foreigns[i]->thread_site(t, file, line))
			return true;
	return false;
}
