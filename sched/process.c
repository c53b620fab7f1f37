/*
 * Process-wide lifecycle: the fork handlers.
 *
 * Before fork() every kernpool lock is taken in the documented order, so the
 * child never inherits a lock held by a thread that does not exist there.
 * The child then forgets the pool (its threads were not copied), the budget
 * and the settings; each is rebuilt lazily on first use, so the child can
 * call anything with any workers at once.
 *
 * GEMM registers two more sets of handlers on first use (kernels/gemm/:
 * partition.c forgets the products in flight, engine_openblas.c waits for
 * running OpenBLAS calls). They may run before or after these, whichever
 * registered first; either order is safe because neither takes a kernpool
 * lock and an OpenBLAS call takes none either (its only lock, the buffer
 * mutex, is held inside a call, which the wait lets finish).
 */
#include <pthread.h>
#include <stdatomic.h>

#include "sched/internal.h"

/* Set by the handlers below; never cleared (a child of a child forked too). */
static atomic_int forked;

static void fork_prepare(void)
{
    kp__settings_fork_prepare();
    kp__budget_fork_prepare();
    kp__pool_fork_prepare();
}

static void fork_parent(void)
{
    atomic_store_explicit(&forked, 1, memory_order_relaxed);
    kp__pool_fork_parent();
    kp__budget_fork_parent();
    kp__settings_fork_parent();
}

static void fork_child(void)
{
    atomic_store_explicit(&forked, 1, memory_order_relaxed);
    kp__pool_fork_child();
    kp__budget_fork_child();
    kp__settings_fork_child();
    kp__isa_fork_child();
}

static pthread_once_t process_once = PTHREAD_ONCE_INIT;
static int fork_handlers_registered; /* written once under process_once */

static void process_register(void)
{
    fork_handlers_registered = pthread_atfork(fork_prepare, fork_parent, fork_child) == 0;
}

int kp__process_init(void)
{
    pthread_once(&process_once, process_register);
    return fork_handlers_registered;
}

int kp__process_forked(void)
{
    return atomic_load_explicit(&forked, memory_order_relaxed);
}
