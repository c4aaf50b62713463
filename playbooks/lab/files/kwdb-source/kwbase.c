/* Lab stand-in for a source-built kwbase: `start`/`start-single-node` is a
 * real server process (it runs until SIGTERM, and --background detaches it)
 * that reports to the lab's kwbase shim; anything else is the shim itself.
 * The version it was built as comes from the tree's VERSION file. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#define SHIM "/usr/local/sbin/kwbase"

static volatile sig_atomic_t stopping = 0;

static void on_term(int signal_number) {
    (void)signal_number;
    stopping = 1;
}

static void report(const char *state) {
    pid_t child = fork();
    if (child == 0) {
        execl(SHIM, "kwbase", "server-state", state, (char *)0);
        _exit(127);
    }
    int status;
    waitpid(child, &status, 0);
}

int main(int argc, char **argv) {
    setenv("KWDB_BUILD_VERSION", KWDB_VERSION, 1);
    if (argc > 1 && (!strcmp(argv[1], "start") || !strcmp(argv[1], "start-single-node"))) {
        int background = 0;
        for (int i = 2; i < argc; i++) {
            if (!strcmp(argv[i], "--background")) background = 1;
        }
        signal(SIGTERM, on_term);
        signal(SIGINT, on_term);
        report("live");
        if (background) {
            if (fork() > 0) return 0;
            setsid();
            int null = open("/dev/null", O_RDWR);
            dup2(null, 0);
            dup2(null, 1);
            dup2(null, 2);
        }
        while (!stopping) pause();
        report("dead");
        return 0;
    }
    execv(SHIM, argv);
    return 127;
}
