/* extlock.c - the one process-wide lock: serializes calls into third-party
 * libraries that keep global state of their own (Debian's MUMPS 5.5 keeps
 * Fortran module state; Ipopt calls that MUMPS). dqp itself has no mutable
 * global state; this lock only protects theirs. Hidden (not exported). */
#define _POSIX_C_SOURCE 200809L
#include "core/internal.h"

#include <pthread.h>

static pthread_mutex_t extlib_mutex = PTHREAD_MUTEX_INITIALIZER;

void dqp_extlib_lock(void) { pthread_mutex_lock(&extlib_mutex); }

void dqp_extlib_unlock(void) { pthread_mutex_unlock(&extlib_mutex); }
