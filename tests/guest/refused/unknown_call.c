/* A call simk does not implement: a link-time error naming it. */
#include <sys/socket.h>

int main(void)
{
	return socket(AF_INET, SOCK_STREAM, 0) < 0;
}
