/* Every run starts from the program's initial state: globals at their
 * initial values, an empty heap, no open files but the console. */
#include <fcntl.h>
#include <unistd.h>

#include "check.h"

static int counter = 5;
static char *kept;
static char buf[16] = "initial";

int main(void)
{
	CHECK(counter == 5 && kept == NULL && strcmp(buf, "initial") == 0);
	counter++;
	strcpy(buf, "changed");
	kept = malloc(32);
	CHECK(kept != NULL);
	int fd = open("/g", O_CREAT | O_RDWR, 0600);
	CHECK(fd == 3); /* fds 0, 1, 2 are the console */
	free(kept);
	return 0;
}
