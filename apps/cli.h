/* cli.h - shared pieces of the dqp command-line tool.
 *
 * Files: main.c (dispatch, help, info, settings), common.c (options, files,
 * losses, gradients), json.c (JSON writer), svg.c (bench chart),
 * cmd_solve.c, cmd_grad.c, cmd_check.c, cmd_bench.c, cmd_solvers.c,
 * cmd_demo.c.
 *
 * Exit codes (every command):
 *   0  success
 *   1  `check`: a regular problem's derivatives disagree beyond tolerance;
 *      `demo`: a value differs from its analytic value
 *   2  usage: unknown command or option, missing or bad option value,
 *      unknown solver / setting name (the message lists the valid names)
 *   3  input file missing, unreadable or malformed (message "FILE:LINE: ...")
 *   4  `grad`, `check`: the problem was not solved (infeasible, unbounded,
 *      iteration or time limit, not convex, numerical error)
 *   5  the library failed (no derivative available, out of memory, ...)
 */
#ifndef DQP_CLI_H
#define DQP_CLI_H

#include "dqp.h"

#include <stdio.h>

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2, CLI_INPUT = 3, CLI_UNSOLVED = 4, CLI_LIBRARY = 5 };

/* ------------------------------------------------------------ commands */
int cmd_solve(int argc, char **argv);
int cmd_grad(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_solvers(int argc, char **argv);
int cmd_demo(int argc, char **argv);

/* Help text of one command (NULL: all) on out. */
void cli_usage(FILE *out, const char *command);

/* ------------------------------------------------------------ messages */
/* "dqp: " + message + newline on stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Usage error of a command: message, then "see dqp CMD --help"; returns CLI_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------ option parsing
 * Options come as "--name value" or "--name=value". cli_opt_value returns 1
 * when argv[*i] is the option `name` and sets *val (advancing *i past a
 * separate value), 0 when argv[*i] is another word, -1 when the value is
 * missing (message printed). */
int cli_opt_value(int argc, char **argv, int *i, const char *name, const char **val);
/* 1 when argv[i] is the flag `name` exactly. */
int cli_is_flag(const char *arg, const char *name);

int cli_parse_double(const char *text, double *out);  /* 1 when a finite number */
int cli_parse_long(const char *text, long long *out); /* 1 when an integer */

/* --solver NAME and --set key=value: 1 handled, 0 not this option, -1
 * error (message printed: exit with CLI_USAGE). */
int cli_settings_opt(int argc, char **argv, int *i, const char *command, dqp_settings *s);

/* Apply "key=value" to the settings; message and 0 on error. */
int cli_apply_set(dqp_settings *s, const char *command, const char *kv);
/* Check that qp_solver and lin_solver name registered solvers (or "auto");
 * message listing the valid names and 0 otherwise. */
int cli_check_solver_names(const dqp_settings *s, const char *command);
/* "auto, dense_as, ipm" into buf. */
void cli_qp_solver_list(char *buf, size_t len);
void cli_lin_solver_list(char *buf, size_t len);

/* ------------------------------------------------------------ files */
typedef struct cli_model {
    const char *path;
    dqp_qps *qps;
    const dqp_problem *prob; /* owned by qps */
    int sense;               /* +1 min, -1 max */
} cli_model;

/* Read a QPS/MPS file; prints "dqp: FILE:LINE: reason" and returns
 * CLI_INPUT on failure, CLI_OK on success. */
int cli_load(const char *path, cli_model *m);
void cli_unload(cli_model *m);

/* A describing the origin of canonical row k of A (eq = 1) or C (eq = 0),
 * e.g. "row c1", "upper bound of x3", "lower side (range) of row r2". */
void cli_origin_text(const cli_model *m, int eq, int64_t k, char *buf, size_t len);

/* ------------------------------------------------------------ solving (cmd_solve.c) */
/* 1 when the status is solved or solved_inaccurate. */
int cli_solved(const dqp_info *info);
/* Create a handle with the settings and solve the model's problem. Errors
 * are printed; returns CLI_OK (check the QP status), CLI_USAGE, CLI_UNSOLVED
 * (P not convex under check_PSD) or CLI_LIBRARY. *out is set either way
 * (destroy it). */
int cli_run_solver(const char *command, const cli_model *m, const dqp_settings *s,
                   dqp_solver **out);
struct json_w;
/* The solve fields of the JSON output (file, name, status, objective, sizes,
 * solver names, iterations, times, derivative status; with_vectors: z,
 * lambda, mu, active, active_origins, columns). */
void cli_json_solution(struct json_w *w, const cli_model *m, const dqp_solver *h, int with_vectors);
/* Human summary of a solve. */
void cli_print_summary(const cli_model *m, const dqp_solver *h);

/* ------------------------------------------------------------ losses */
typedef enum { LOSS_OBJECTIVE = 0, LOSS_SUM = 1, LOSS_Z = 2 } cli_loss_kind;
typedef struct cli_loss {
    cli_loss_kind kind;
    int64_t index;  /* LOSS_Z: component */
    char text[160]; /* as given, for messages and output */
} cli_loss;

/* Parse "objective", "sum", "z:K" (K = 0-based index or a column name of
 * the model, which may be NULL when no file is loaded). */
int cli_parse_loss(const char *spec, const cli_model *m, int64_t n, cli_loss *out,
                   const char *command);

/* Loss value at z for problem prob: objective = sense (1/2 z'Pz + q'z) + c0
 * (the file's objective with its constant), sum = sum z, z:K = z_K. */
double cli_loss_value(const cli_loss *L, const dqp_problem *prob, const double *z, int sense,
                      double c0);

/* ------------------------------------------------------------ gradients */
/* Gradient arrays in the library's layout (dqp_grad), with their lengths. */
typedef struct cli_grads {
    int64_t nP, nq, nA, nb, nC, nd;
    double *dP, *dq, *dA, *db, *dC, *dd;
} cli_grads;

/* Length of the data block 'P','q','A','b','C','d' (stored values of a
 * sparse matrix, n*n / m*n for dense ones). */
int64_t cli_data_len(const dqp_problem *prob, char which);
/* Pointer to the values of a block (sparse x or dense array). */
const double *cli_data_values(const dqp_problem *prob, char which);

int cli_grads_alloc(cli_grads *g, const dqp_problem *prob); /* 0 on out of memory */
void cli_grads_free(cli_grads *g);
double *cli_grads_block(cli_grads *g, int b); /* b = 0..5 in the order P q A b C d */
int64_t cli_grads_len(const cli_grads *g, int b);
extern const char cli_block_names[6]; /* "PqAbCd" */

/* The seed on z of the loss at the solution: objective: sense (P z + q);
 * sum: ones; z:K: e_K. */
void cli_loss_seed(const cli_loss *L, const dqp_problem *prob, const double *z, int sense,
                   double *gz);

/* Explicit (direct) part of the loss gradient, added to g: for the
 * objective, sense * (1/2 z z' at the stored entries of P with the storage
 * semantics of problem.h, and z for q); 0 for the other losses. */
void cli_loss_explicit_add(const cli_loss *L, const dqp_problem *prob, const double *z, int sense,
                           cli_grads *g);

/* Total gradient of the loss w.r.t. (P, q, A, b, C, d): VJP with the seed
 * plus the explicit part. Returns a dqp_status. */
dqp_status cli_loss_gradient(dqp_solver *h, const dqp_problem *prob, const cli_loss *L, int sense,
                             cli_grads *g);

/* "regular", or flags joined with '+', e.g. "weakly_active+duals_recovered". */
const char *cli_diff_status_text(unsigned flags, char *buf, size_t len);
/* Nonzero when the derivative is exact: no flag other than duals_recovered. */
int cli_diff_is_regular(unsigned flags);

/* Monotonic clock in seconds. */
double cli_now(void);

/* ------------------------------------------------------------ JSON writer
 * Pretty-printed, keys and strings escaped (", \, control characters as
 * \u00XX; valid UTF-8 passes through, other bytes >= 0x80 become \ufffd).
 * Doubles with %.17g; NaN and +-Inf are written as null. */
typedef struct json_w {
    FILE *f;
    int depth;
    int count[64];   /* items written at each depth */
    int inline_[64]; /* arrays of scalars on one line */
} json_w;

void json_init(json_w *w, FILE *f);
void json_finish(json_w *w); /* newline at the end */
/* key is NULL inside arrays and for the top-level value. */
void json_object_begin(json_w *w, const char *key);
void json_object_end(json_w *w);
void json_array_begin(json_w *w, const char *key, int inline_items);
void json_array_end(json_w *w);
void json_str(json_w *w, const char *key, const char *s);
void json_num(json_w *w, const char *key, double v);
void json_int(json_w *w, const char *key, long long v);
void json_bool(json_w *w, const char *key, int v);
void json_null(json_w *w, const char *key);
void json_num_array(json_w *w, const char *key, const double *x, int64_t n);
void json_int_array(json_w *w, const char *key, const int64_t *x, int64_t n);
/* Length (2-4) of a valid multi-byte UTF-8 sequence at p, 0 when invalid. */
int cli_utf8_len(const unsigned char *p);
/* Write a JSON string literal (quotes included) to f. */
void json_write_string(FILE *f, const char *s);

/* ------------------------------------------------------------ bench chart */
typedef struct bench_cell {
    const char *solver;
    double tol;
    const char *status; /* "solved", "primal_infeasible", "error", ... */
    int runs, solved;   /* repeats done, repeats that ended solved */
    int bwd_runs;       /* repeats with a backward pass (derivative available) */
    double solve_mean, solve_std;
    double bwd_mean, bwd_std; /* backward = derivative setup + one VJP */
    double setup_mean, vjp_mean;
    double rel_err;    /* ||z - z_ref|| / ||z_ref||, NaN when unknown */
    double iterations; /* mean */
    double objective;
} bench_cell;

/* SVG bar chart: one group per solver, per tolerance a solve bar and a
 * backward bar on a log time axis, std whiskers, the exponent of the
 * relative error above each pair. cells[s * ntols + t]. Returns 0 on I/O
 * error (message printed). */
int svg_write_bench(const char *path, const char *title, const bench_cell *cells, int nsolvers,
                    int ntols);
/* Escape text for XML (&, <, >, ", '); control characters and bytes that
 * are not valid UTF-8 become '?'. */
void svg_write_escaped(FILE *f, const char *s);

/* Nonzero when the problem has a stored nonzero in P (a QP, not an LP). */
int cli_has_quadratic(const dqp_problem *p);

/* The one positional argument: FILE. Unknown options and a second FILE are
 * usage errors. Returns CLI_OK or the usage error's code. */
int cli_take_file(const char *command, const char *arg, const char **file);

#endif
