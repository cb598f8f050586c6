#include "cli.h"

#ifdef QA_JEMALLOC
/* Read by jemalloc (linked in: QA_MALLOC) as it starts; MALLOC_CONF in the
 * environment still wins. Freed pages go back to the system within about a
 * second, by a thread of jemalloc's own, rather than when the next
 * allocation happens to look: a burst of feed renders (every feed asked for
 * in turn) otherwise left the daemon ~15 MB larger until it was busy again
 * (bench/feed.sh, "everyone subscribed"). */
const char *malloc_conf =
	"background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0";
#endif

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
