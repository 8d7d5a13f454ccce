/* kill's errors: a signal number below 0 or above 64 is EINVAL (checked
 * before the target); a pid nobody has is ESRCH, for signal 0 too; signal
 * 0 to an existing process checks it exists and sends nothing; raise
 * with a bad number is EINVAL. */
#include <signal.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	CHECK_ERR(kill(getpid(), -1), EINVAL);
	CHECK_ERR(kill(getpid(), 65), EINVAL);
	CHECK_ERR(kill(getpid(), 1000), EINVAL);
	CHECK_ERR(kill(424242, 1000), EINVAL);
	CHECK_ERR(kill(424242, SIGTERM), ESRCH);
	CHECK_ERR(kill(424242, 0), ESRCH);
	CHECK_ERR(kill(-424242, SIGTERM), ESRCH);
	CHECK(kill(getpid(), 0) == 0);
	CHECK(kill(0, 0) == 0);
	sigset_t p;
	CHECK(sigpending(&p) == 0 && sigismember(&p, SIGTERM) == 0);
	CHECK_ERR(raise(-2), EINVAL);
	CHECK_ERR(raise(65), EINVAL);
	CHECK(raise(0) == 0);
	return 0;
}
