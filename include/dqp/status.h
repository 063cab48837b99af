/* dqp/status.h - status codes, messages, logging and export macro. */
#ifndef DQP_STATUS_H
#define DQP_STATUS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(DQP_BUILDING_LIBRARY) && defined(__GNUC__)
#define DQP_API __attribute__((visibility("default")))
#else
#define DQP_API
#endif

/* Every library function that can fail returns one of these. DQP_OK is 0.
 * The outcome of a solve (solved, infeasible, ...) is not an error and is
 * reported separately by the solver result (later layers). */
typedef enum dqp_status {
    DQP_OK = 0,
    DQP_ERR_NULL = 1,          /* a required pointer argument is NULL */
    DQP_ERR_DIMENSION = 2,     /* negative, mismatched or overflowing dimension */
    DQP_ERR_INDEX = 3,         /* a CSC row index out of range */
    DQP_ERR_POINTERS = 4,      /* CSC column pointers not monotone / wrong ends */
    DQP_ERR_UNSORTED = 5,      /* CSC row indices not sorted within a column */
    DQP_ERR_DUPLICATE = 6,     /* CSC duplicate row index within a column */
    DQP_ERR_NONFINITE = 7,     /* NaN or Inf in the data */
    DQP_ERR_NOT_SYMMETRIC = 8, /* P given in full but not symmetric */
    DQP_ERR_TRIANGLE = 9,      /* P declared upper triangular has an entry below the diagonal */
    DQP_ERR_MISSING = 10,      /* e.g. A given without b */
    DQP_ERR_UNKNOWN_NAME = 11, /* unknown setting / solver / backend name */
    DQP_ERR_VALUE = 12,        /* a setting value out of range or unparsable */
    DQP_ERR_IO = 13,           /* file cannot be opened or read */
    DQP_ERR_PARSE = 14,        /* malformed input file */
    DQP_ERR_NOMEM = 15,        /* allocation failed */
    DQP_ERR_SINGULAR = 16,     /* linear system singular (and not consistent) */
    DQP_ERR_NUMERICAL = 17,    /* numerical failure: refinement did not converge, NaN produced */
    DQP_ERR_BACKEND = 18,      /* an external library reported an error */
    DQP_ERR_NOT_READY = 19,    /* call made in the wrong state (e.g. solve before factor) */
    DQP_ERR_UNSUPPORTED = 20,  /* valid request that this build or backend cannot do */
    DQP_ERR_NOT_CONVEX = 21    /* P is not positive semidefinite */
} dqp_status;

/* Static English name of a status, e.g. "DQP_ERR_INDEX: row index out of range".
 * Never NULL; unknown codes give "unknown status". */
DQP_API const char *dqp_status_string(dqp_status s);

/* A fixed-size message buffer used by functions that do not act on an object
 * (validation of caller-owned data, settings). Always NUL-terminated. */
#define DQP_MESSAGE_LEN 512
typedef struct dqp_message {
    char text[DQP_MESSAGE_LEN];
} dqp_message;

/* Log levels and callback. The library never prints; it calls this. */
typedef enum dqp_log_level { DQP_LOG_ERROR = 0, DQP_LOG_INFO = 1, DQP_LOG_DEBUG = 2 } dqp_log_level;
typedef void (*dqp_log_fn)(void *user, dqp_log_level level, const char *message);

/* Allocator hook. A handle created with settings.allocator set performs
 * every allocation of its calls (solve, derivatives, destroy) through it;
 * third-party libraries (SuiteSparse, MUMPS, LAPACK, Ipopt) keep their own.
 * alloc returns NULL to fail (the call then returns DQP_ERR_NOMEM and leaks
 * nothing); free receives exactly the pointers alloc returned. The struct
 * must outlive every handle using it. */
typedef struct dqp_allocator {
    void *(*alloc)(void *user, size_t bytes);
    void (*free)(void *user, void *ptr);
    void *user;
} dqp_allocator;

/* Version string "MAJOR.MINOR.PATCH". */
DQP_API const char *dqp_version(void);

#ifdef __cplusplus
}
#endif
#endif
