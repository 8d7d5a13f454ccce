/*
 * kq_edge_drain.c: an edge-triggered kqueue reader that drains too little.
 *
 * A producer thread writes three 8-byte messages into a pipe; a consumer
 * waits for EVFILT_READ with EV_CLEAR and reads ONE message per event. With
 * EV_CLEAR an event means "something arrived since the last retrieval":
 * when two messages arrive before the consumer looks, they come as one
 * event (data = 16), the consumer reads 8 bytes, and the other message
 * sits in the pipe with no event left to announce it. The consumer then
 * waits forever, the main thread waits for it in pthread_join: a deadlock
 * that only some interleavings show (on a real system, a hang under load).
 *
 *   build/simk-cc -o kq_edge_drain examples/guest/kq_edge_drain.c
 *   build/simk explore ./kq_edge_drain --runs 1000
 *   build/simk run ./kq_edge_drain --seed N --policy random --preempt 0.25
 *
 * explore reports the deadlock with the consumer's kevent() line. The fix:
 * read ev.data bytes (or until EAGAIN) per event, or drop EV_CLEAR so the
 * knote stays level-triggered.
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MESSAGES 3
#define MSG 8

static int kq;
static int pfd[2];

static void *producer(void *arg)
{
	(void)arg;
	for (int i = 0; i < MESSAGES; i++) {
		char msg[MSG];
		snprintf(msg, sizeof(msg), "msg %d", i);
		if (write(pfd[1], msg, MSG) != MSG) {
			perror("write");
			return NULL;
		}
		sched_yield();
	}
	return NULL;
}

static void *consumer(void *arg)
{
	(void)arg;
	int got = 0;
	while (got < MESSAGES) {
		struct kevent ev;
		if (kevent(kq, NULL, 0, &ev, 1, NULL) != 1) {
			perror("kevent");
			return NULL;
		}
		char msg[MSG];
		/* BUG: one message per event, whatever ev.data says */
		if (read(pfd[0], msg, MSG) != MSG) {
			perror("read");
			return NULL;
		}
		printf("consumer: %s (event said %ld bytes)\n", msg, (long)ev.data);
		got++;
	}
	return NULL;
}

int main(void)
{
	kq = kqueue();
	if (kq < 0 || pipe(pfd) != 0) {
		perror("setup");
		return 1;
	}
	struct kevent ch;
	EV_SET(&ch, pfd[0], EVFILT_READ, EV_ADD | EV_CLEAR, 0, 0, NULL);
	if (kevent(kq, &ch, 1, NULL, 0, NULL) != 0) {
		perror("kevent add");
		return 1;
	}
	pthread_t c, p;
	pthread_create(&c, NULL, consumer, NULL);
	pthread_create(&p, NULL, producer, NULL);
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	close(pfd[0]);
	close(pfd[1]);
	close(kq);
	printf("all %d messages read\n", MESSAGES);
	return 0;
}
