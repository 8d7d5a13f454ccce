/*
 * laio_journal: two threads append 512-byte records to one journal file
 * with Linux native AIO (libaio, O_DIRECT), and the program checks at the
 * end that every record is in the file. It has a race: an appender reads
 * the journal's end, submits its write there, and only moves the end
 * after io_submit returns — another appender that runs in between
 * reserves the same place, and one record overwrites the other.
 *
 *   build/simk-cc -o laio_journal examples/guest/laio_journal.c
 *   build/simk explore ./laio_journal --runs 2000     # finds a seed
 *   build/simk run ./laio_journal --seed N            # replays it:
 *     journal: record 0 lost (overwritten)
 *
 * The fix: reserve the place before submitting, atomically
 * (__atomic_fetch_add(&journal_end, RECORD, ...)).
 */
#define _GNU_SOURCE /* O_DIRECT */
#include <fcntl.h>
#include <libaio.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RECORD 512
#define PER_THREAD 3
#define THREADS 2

static int journal;
static long journal_end; /* where the next record goes */

static void die(const char *what, int err)
{
	printf("journal: %s: %s\n", what, strerror(err));
	exit(2);
}

static void *appender(void *arg)
{
	int id = (int)(long)arg;
	io_context_t ctx = 0;
	int r = io_setup(4, &ctx);
	if (r < 0)
		die("io_setup", -r);
	char *rec = aligned_alloc(RECORD, RECORD);
	for (int i = 0; i < PER_THREAD; i++) {
		memset(rec, 0, RECORD);
		snprintf(rec, RECORD, "record %d", id * PER_THREAD + i);
		long off = __atomic_load_n(&journal_end, __ATOMIC_SEQ_CST);
		struct iocb cb, *list[1] = {&cb};
		io_prep_pwrite(&cb, journal, rec, RECORD, off);
		if ((r = io_submit(ctx, 1, list)) != 1)
			die("io_submit", -r);
		/* BUG: the end moves only now, after a system call */
		__atomic_store_n(&journal_end, off + RECORD, __ATOMIC_SEQ_CST);
		struct io_event ev;
		if ((r = io_getevents(ctx, 1, 1, &ev, NULL)) != 1)
			die("io_getevents", -r);
		if ((long)ev.res != RECORD)
			die("write", (int)-(long)ev.res);
	}
	free(rec);
	io_destroy(ctx);
	return NULL;
}

int main(void)
{
	journal = open("/journal", O_CREAT | O_RDWR | O_DIRECT, 0644);
	if (journal < 0)
		die("open", 5);
	pthread_t t[THREADS];
	for (long i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, appender, (void *)i);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);

	int seen[THREADS * PER_THREAD] = {0};
	char *rec = aligned_alloc(RECORD, RECORD);
	for (long off = 0; pread(journal, rec, RECORD, off) == RECORD; off += RECORD) {
		int n;
		if (sscanf(rec, "record %d", &n) == 1 && n >= 0 && n < THREADS * PER_THREAD)
			seen[n]++;
	}
	free(rec);
	close(journal);
	for (int n = 0; n < THREADS * PER_THREAD; n++) {
		if (seen[n] != 1) {
			printf("journal: record %d lost (overwritten)\n", n);
			return 1;
		}
	}
	printf("journal: %d records\n", THREADS * PER_THREAD);
	return 0;
}
