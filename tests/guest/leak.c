/* A block left allocated at exit fails the run (the leak check). */
#include <stdlib.h>
#include <string.h>

int main(void)
{
	char *p = malloc(100);
	if (p == NULL)
		return 1;
	strcpy(p, "forgotten");
	return 0;
}
