/* dqp/settings.h - solver and differentiation settings.
 *
 * A plain struct filled by dqp_settings_default(), the single source of
 * truth for defaults, plus name-based get/set for every named field so that
 * the CLI and the bindings need no change when a field is added.
 * The names and meanings follow the dQP option table. */
#ifndef DQP_SETTINGS_H
#define DQP_SETTINGS_H

#include "dqp/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DQP_NAME_LEN 32
#define DQP_KEYWORDS_LEN 512

typedef enum dqp_solve_type {
    DQP_SOLVE_AUTO = 0, /* dense when the data are dense, sparse otherwise */
    DQP_SOLVE_DENSE = 1,
    DQP_SOLVE_SPARSE = 2
} dqp_solve_type;

/* Which one-sided derivative to return at weakly active rows (slack below
 * eps_active and multiplier ~ 0), where the QP is not differentiable. */
typedef enum dqp_weak_convention {
    DQP_WEAK_KEEP = 0, /* keep them in the active set: the constraint stays active */
    DQP_WEAK_DROP = 1  /* drop them: the constraint may become inactive */
} dqp_weak_convention;

typedef struct dqp_settings {
    char qp_solver[DQP_NAME_LEN];  /* forward QP solver, "auto" = by problem kind */
    char lin_solver[DQP_NAME_LEN]; /* KKT linear solver: "auto", "ldl", "mumps", "lapack" */
    dqp_solve_type solve_type;     /* "auto", "dense", "sparse" */
    double eps_abs;                /* absolute tolerance of the forward solve, > 0 */
    double eps_rel;                /* relative tolerance of the forward solve, >= 0 */
    double eps_active;             /* relative slack (d_i - c_i'z) / (1 + |d_i|) below which a
                                      row is active (rows scaled to unit norm first when
                                      normalize_constraints); with trusted duals a row is
                                      also active when mu_i / max mu > that slack */
    int dual_available;            /* trust the solver's duals when it returns them */
    int normalize_constraints;     /* scale rows of A, C to unit 2-norm before the solve */
    int refine_active;             /* greedy active-set refinement */
    int warm_start_from_previous;  /* warm-start each solve from the previous one */
    int omp_parallel;              /* parallel loop over batches */
    int threads;                   /* OpenMP threads for batches, 0 = OpenMP default */
    int empty_batch;               /* keep a batch dimension of 1 (bindings) */
    char qp_solver_keywords[DQP_KEYWORDS_LEN]; /* "key=value" entries separated by
                                                  spaces or commas, passed to the solver */
    int verbose;                   /* 0 silent .. 2 debug, through the log callback */
    int time;                      /* report timings */
    int check_PSD;                 /* verify P is positive semidefinite */
    dqp_weak_convention weak_active; /* "keep" or "drop" */
    int64_t max_iter;              /* forward solver iteration limit, 0 = solver default */
    double time_limit;             /* seconds for the forward solve, > 0, inf = none */
    /* Not name-settable: */
    dqp_log_fn log;                /* NULL: no logging */
    void *log_user;
    const dqp_allocator *allocator; /* NULL: libc malloc/free (see status.h) */
} dqp_settings;

/* Fill with the defaults:
 *   qp_solver "auto", lin_solver "auto", solve_type auto, eps_abs 1e-8,
 *   eps_rel 1e-8, eps_active 1e-5, dual_available 1, normalize_constraints 0,
 *   refine_active 0, warm_start_from_previous 0, omp_parallel 0, threads 0,
 *   empty_batch 0, qp_solver_keywords "", verbose 0, time 0, check_PSD 0,
 *   weak_active keep,
 *   max_iter 0, time_limit inf, log NULL. */
DQP_API void dqp_settings_default(dqp_settings *s);

/* Set a field from its text value: numbers as in strtod/strtoll ("1e-6",
 * "inf"), booleans as 0/1/true/false/yes/no/on/off, enums and names as text.
 * Unknown names give DQP_ERR_UNKNOWN_NAME with the list of valid names in
 * msg; bad or out-of-range values give DQP_ERR_VALUE saying the valid range.
 * The struct is unchanged on error. msg may be NULL. */
DQP_API dqp_status dqp_settings_set(dqp_settings *s, const char *name, const char *value,
                                    dqp_message *msg);

/* Write the text value of a field into buf (doubles with %.17g so that a
 * get/set round trip is exact). DQP_ERR_VALUE if buf is too small. */
DQP_API dqp_status dqp_settings_get(const dqp_settings *s, const char *name, char *buf,
                                    size_t len, dqp_message *msg);

/* Check every field's range (for structs filled by hand). */
DQP_API dqp_status dqp_settings_validate(const dqp_settings *s, dqp_message *msg);

/* Enumerate the names: i = 0 .. dqp_settings_count()-1; NULL out of range. */
DQP_API int dqp_settings_count(void);
DQP_API const char *dqp_settings_name(int i);
/* One-line description of a named field, NULL for unknown names. */
DQP_API const char *dqp_settings_help(const char *name);

/* For bindings that cannot see the struct layout: its size in bytes, the
 * value type of a named field ("name", "enum", "double", "bool", "int",
 * "int64", "keywords"; NULL for unknown names), and the log callback. */
DQP_API size_t dqp_settings_size(void);
DQP_API const char *dqp_settings_type(const char *name);
DQP_API void dqp_settings_set_log(dqp_settings *s, dqp_log_fn fn, void *user);

/* Parse the i-th "key=value" entry of qp_solver_keywords into key/value
 * buffers. Returns DQP_ERR_VALUE when there is no i-th entry. */
DQP_API dqp_status dqp_settings_keyword(const dqp_settings *s, int i, char *key, size_t key_len,
                                        char *value, size_t value_len);

#ifdef __cplusplus
}
#endif
#endif
